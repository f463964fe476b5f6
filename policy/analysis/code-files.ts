import type { Language } from '../../schemas/action.js';

/** How an input file would run, judged by its extension or its `#!` line. */
export type FileKind = { kind: 'code'; language: Language } | { kind: 'foreign-code'; interpreter: string } | { kind: 'data' };

const BY_EXTENSION: Readonly<Record<string, Language>> = {
  py: 'python', pyw: 'python', js: 'node', mjs: 'node', cjs: 'node', sh: 'bash', bash: 'bash',
};
/** Code the analyser does not read: never auto-approved when it comes with an action. */
const FOREIGN_EXTENSIONS = new Set(['pl', 'pm', 'rb', 'php', 'lua', 'tcl', 'r', 'ts', 'mts', 'cts', 'zsh', 'ksh', 'fish', 'awk', 'sed', 'so', 'node', 'wasm', 'pyc', 'jar', 'exe', 'elf', 'bin']);

/** The kind of one input file: code (by extension or `#!`), code in another language, or data. */
export function fileKind(path: string, content: string): FileKind {
  const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(content);
  if (shebang) {
    const program = shebang[1]!.split('/').at(-1)!;
    const interpreter = program === 'env' ? (shebang[2] ?? 'env').replace(/^-\S*$/, 'env') : program;
    const language = interpreterLanguage(interpreter);
    return language ? { kind: 'code', language } : { kind: 'foreign-code', interpreter };
  }
  const name = path.split('/').at(-1) ?? path;
  const extension = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
  const language = BY_EXTENSION[extension];
  if (language) return { kind: 'code', language };
  if (FOREIGN_EXTENSIONS.has(extension)) return { kind: 'foreign-code', interpreter: extension };
  // ELF binaries and other executables carry no extension.
  if (content.startsWith('\x7fELF')) return { kind: 'foreign-code', interpreter: 'native' };
  return { kind: 'data' };
}

function interpreterLanguage(program: string): Language | undefined {
  if (/^python(?:\d(?:\.\d+)?)?$/.test(program)) return 'python';
  if (program === 'node' || program === 'nodejs') return 'node';
  if (program === 'bash' || program === 'sh' || program === 'dash') return 'bash';
  return undefined;
}
