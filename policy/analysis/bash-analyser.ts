/**
 * Bash analysis over a tree-sitter syntax tree. Every command is judged by its name after quote removal (`"ev"al`
 * is eval) and with constant variables folded (`c=r; c+=m; $c` is rm); a name computed at run time is never
 * low. Only the policy's harmless commands pass; interpreters, eval, source and wrappers are followed into the
 * code they run when it is a constant or an input file, and are not analysable otherwise.
 */
import { lineOf, type SyntaxNode, type SyntaxTree } from './parsers.js';
import { isUnderSafe, isWorkspacePath, ReportBuilder, type AnalyserContext, type AnalyserReport } from './analysis-result.js';
import type { Language } from '../../schemas/action.js';

const INTERPRETERS: Readonly<Record<string, Language | undefined>> = {
  python: 'python', python3: 'python', 'python3.11': 'python', 'python3.12': 'python', node: 'node', nodejs: 'node',
  bash: 'bash', sh: 'bash', dash: 'bash', zsh: undefined, ksh: undefined, perl: undefined, ruby: undefined, php: undefined,
  lua: undefined, tclsh: undefined, Rscript: undefined,
};
/** Options after which an interpreter takes code text, not a file. */
const INLINE_FLAGS: Readonly<Record<string, readonly string[]>> = { python: ['-c'], node: ['-e', '--eval', '-p', '--print'], bash: ['-c'] };
/** Commands that run the command named by their arguments. */
const WRAPPERS = new Set(['command', 'builtin', 'nohup', 'time', 'env', 'nice', 'timeout', 'stdbuf', 'setsid', 'xargs', 'exec', 'chroot', 'unbuffer', 'flock', 'watch', 'strace', 'ionice', 'taskset']);
const PRIVILEGE = new Set(['sudo', 'su', 'doas', 'pkexec', 'runuser']);
const NETWORK = new Set(['curl', 'wget', 'nc', 'ncat', 'netcat', 'ssh', 'scp', 'sftp', 'rsync', 'telnet', 'ftp', 'socat', 'nslookup', 'dig', 'host', 'ping', 'openssl']);
const DECODING = /\b(?:base64\s+(?:-\w*d|--decode)|base32\s+-\w*d|xxd\s+-\w*r|openssl\s+(?:enc|base64)|gunzip|zcat|uudecode|rev\b|tr\s)/;
const WRITERS = new Set(['cp', 'mv', 'tee', 'touch', 'mkdir', 'ln', 'split']);
/** Variables that change which program a name runs, or run code themselves. */
const SHELL_CONTROL_VARIABLES = new Set(['PATH', 'BASH_ENV', 'ENV', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'PROMPT_COMMAND', 'PS4', 'SHELLOPTS', 'BASHOPTS', 'BASH_LOADABLES_PATH', 'PYTHONPATH', 'PYTHONSTARTUP', 'NODE_OPTIONS', 'NODE_PATH']);
/** Safe commands whose arguments can still run programs or write outside /workspace. */
const NEEDS_ARGUMENTS = new Set(['find', 'sed', 'awk', 'gawk', 'mawk', 'sort', 'split', 'cp', 'mv', 'tee', 'touch', 'mkdir', 'ln']);
const EXPANSIONS = ['simple_expansion', 'expansion', 'command_substitution', 'process_substitution', 'arithmetic_expansion'];

class BashAnalysis {
  private readonly out = new ReportBuilder();
  private readonly vars = new Map<string, string | undefined>();
  private readonly functions = new Set<string>();

  constructor(
    private readonly code: string,
    private readonly tree: SyntaxTree,
    private readonly context: AnalyserContext,
  ) {}

  run(): AnalyserReport {
    const root = this.tree.rootNode;
    if (root.hasError) {
      const error = root.descendantsOfType(['ERROR'])[0];
      this.out.add('sh.syntax-error', error ? lineOf(error) : 1, 'the parser found a syntax error');
    }
    // One walk of the tree for every node type the analysis visits (each walk costs as much as the next).
    const all = root.descendantsOfType(['function_definition', 'variable_assignment', 'command', 'file_redirect']).filter((n): n is SyntaxNode => n !== null);
    const types = all.map((n) => n.type);
    all.forEach((fn, i) => {
      if (types[i] !== 'function_definition') return;
      const name = fn.childForFieldName('name')?.text;
      if (name) this.functions.add(name);
    });
    this.assignments = all.filter((_, i) => types[i] === 'variable_assignment');
    this.scanControlVariables();
    all.forEach((node, i) => {
      if (types[i] === 'command') this.command(node);
      else if (types[i] === 'file_redirect' && /[/$`]/.test(node.text)) this.redirect(node);
    });
    return this.out.report;
  }

  private assignments: SyntaxNode[] = [];
  private assigned = 0;

  /** Applies the assignments that come before `position` (in document order), so folding sees their values. */
  private assignmentsBefore(position: number): void {
    while (this.assigned < this.assignments.length && this.assignments[this.assigned]!.startIndex < position) {
      this.assignment(this.assignments[this.assigned]!);
      this.assigned++;
    }
  }

  private scanControlVariables(): void {
    const pattern = new RegExp(`(?<![\\w$])(?:${[...SHELL_CONTROL_VARIABLES].join('|')})\\+?=`, 'g');
    const root = this.tree.rootNode;
    for (const m of this.code.matchAll(pattern)) {
      const index = m.index ?? 0;
      const node = root.descendantForIndex(index, index + 1);
      const assignment = node?.parent?.type === 'variable_assignment' ? node.parent : undefined;
      if (assignment) this.out.add('sh.computed-command', lineOf(assignment), `${assignment.text}: changes how the shell finds or runs commands`);
    }
  }

  private assignment(node: SyntaxNode): void {
    const name = node.childForFieldName('name')?.text;
    if (!name) return;
    const value = node.childForFieldName('value');
    const folded = value ? this.fold(value) : '';
    const append = /^[\w]+(?:\[[^\]]*\])?\+=/.test(node.text);
    if (append) {
      const before = this.vars.get(name);
      this.vars.set(name, before !== undefined && folded !== undefined ? before + folded : undefined);
    } else this.vars.set(name, folded);
  }

  private redirect(node: SyntaxNode): void {
    this.assignmentsBefore(node.startIndex);
    const operator = node.children.find((c) => c && !c.isNamed)?.text ?? '';
    const destination = node.childForFieldName('destination') ?? node.namedChildren.at(-1);
    if (!destination || !/>/.test(operator) || operator.includes('&') && /^\d+$/.test(destination.text)) return;
    const path = this.fold(destination);
    if (path === undefined) return;
    if (/^&?\d+$/.test(path) || path === '-') return;
    if (path.startsWith('/dev/tcp/') || path.startsWith('/dev/udp/')) this.out.derived(`${operator} ${path}`, lineOf(node));
    if (!isWorkspacePath(path)) this.out.add('sh.file-access', lineOf(node), `${operator} ${path}`);
  }

  private command(node: SyntaxNode): void {
    const nameNode = node.childForFieldName('name');
    if (!nameNode) return;
    const plain = nameNode.text;
    // Most commands are plain names of harmless tools: nothing in their arguments can change that. A plain name of
    // one of the script's own functions runs that function, whose body is judged command by command where it stands.
    if (/^[\w.+:-]+$/.test(plain)) {
      if (this.functions.has(plain)) return;
      if (!NEEDS_ARGUMENTS.has(plain) && isUnderSafe(plain, this.context.safe)) return;
    }
    this.assignmentsBefore(node.startIndex);
    const line = lineOf(node);
    const args = node.childrenForFieldName('argument').filter((a): a is SyntaxNode => a !== null);
    const argValues = args.map((a) => this.fold(a));
    const inner = nameNode.namedChildren[0] ?? nameNode;
    const computed = EXPANSIONS.includes(inner.type) || hasExpansion(inner);
    const name = this.fold(inner);
    if (computed) {
      this.out.add('sh.computed-command', line, node.text);
      if (/\$\(|`/.test(nameNode.text) && DECODING.test(nameNode.text)) this.out.add('sh.decode-exec', line, node.text);
      if (name === undefined) return;
      // Judged as what it folds to as well: `c=rm; $c -rf /` is also rm -rf /.
      this.out.derived([name, ...argValues.map((v) => v ?? '?')].join(' '), line);
    } else if (name === undefined) {
      this.out.add('sh.computed-command', line, node.text);
      return;
    } else if (name !== nameNode.text) {
      this.out.derived([name, ...argValues.map((v) => v ?? '?')].join(' '), line);
    }
    this.judge(name, args, argValues, node, line);
  }

  /** Judges running `name` with `args`; wrappers and interpreters recurse into what they run. */
  private judge(rawName: string, args: readonly SyntaxNode[], values: readonly (string | undefined)[], node: SyntaxNode, line: number, depth = 0): void {
    if (depth > 8) {
      this.out.add('sh.computed-command', line, node.text);
      return;
    }
    if (rawName.includes('/')) {
      const local = rawName.replace(/^\.\//, '').replace(/^\/workspace\//, '');
      if (this.context.files.has(local)) {
        this.out.nested({ kind: 'file', path: local, language: 'bash', line });
        return;
      }
      if (!rawName.startsWith('/')) {
        this.out.add('sh.unknown-command', line, `${rawName}: not a file of the action`);
        return;
      }
    }
    const name = rawName.includes('/') ? rawName.slice(rawName.lastIndexOf('/') + 1) : rawName;
    if (this.functions.has(name) && !rawName.includes('/')) return;
    const rest = (from: number) => ({ args: args.slice(from), values: values.slice(from) });

    if (name === 'eval' || name === 'trap') {
      const code = name === 'trap' ? values[0] : values.every((v) => v !== undefined) ? values.join(' ') : undefined;
      if (code === undefined) {
        this.out.add('sh.eval', line, node.text);
        if (DECODING.test(node.text)) this.out.add('sh.decode-exec', line, node.text);
      } else this.out.nested({ kind: 'inline', code, language: 'bash', line });
      return;
    }
    if (name === 'source' || name === '.') {
      const file = values[0]?.replace(/^\.\//, '').replace(/^\/workspace\//, '');
      if (file !== undefined && this.context.files.has(file)) this.out.nested({ kind: 'file', path: file, language: 'bash', line });
      else this.out.add('sh.eval', line, node.text);
      return;
    }
    if (PRIVILEGE.has(name)) {
      this.out.add('sh.privilege-escalation', line, node.text);
      const at = values.findIndex((v) => v !== undefined && !v.startsWith('-'));
      if (at >= 0) this.judge(values[at]!, rest(at + 1).args, rest(at + 1).values, node, line, depth + 1);
      return;
    }
    if (WRAPPERS.has(name)) {
      let at = 0;
      while (at < values.length && (values[at] === undefined ? false : /^-|^\w+=|^\d+[smhd]?$/.test(values[at]!))) at++;
      if (at >= values.length) {
        if (name === 'xargs') this.out.add('sh.unknown-command', line, `${node.text}: xargs runs echo`);
        return;
      }
      const next = values[at];
      if (next === undefined) {
        this.out.add('sh.computed-command', line, node.text);
        return;
      }
      if (name === 'xargs') this.out.add('sh.unknown-command', line, node.text);
      this.judge(next, rest(at + 1).args, rest(at + 1).values, node, line, depth + 1);
      return;
    }
    if (Object.hasOwn(INTERPRETERS, name)) {
      this.interpreter(INTERPRETERS[name], name, values, node, line);
      return;
    }
    if (NETWORK.has(name)) {
      this.out.add('sh.network-tools', line, node.text);
      return;
    }
    if (name === 'rm' || name === 'shred' || name === 'unlink' || name === 'rmdir') {
      if (name !== 'rm' || values.some((v) => v === undefined || /^-(?:[a-zA-Z]*[rRf]|-recursive|-force)/.test(v))) this.out.add('sh.delete-files', line, node.text);
      else if (values.some((v) => v !== undefined && !v.startsWith('-') && !isWorkspacePath(v))) this.out.add('sh.file-access', line, node.text);
      return;
    }
    if (!isUnderSafe(name, this.context.safe)) {
      this.out.add('sh.unknown-command', line, node.text);
      return;
    }
    this.harmlessCommandDetails(name, values, node, line, depth);
  }

  /** Harmless commands with a way out: find -exec, sed's e and w, awk's system(), writes outside /workspace. */
  private harmlessCommandDetails(name: string, values: readonly (string | undefined)[], node: SyntaxNode, line: number, depth: number): void {
    if (name === 'find') {
      values.forEach((v, i) => {
        if (v === '-exec' || v === '-execdir' || v === '-ok' || v === '-okdir') {
          const next = values[i + 1];
          if (next === undefined) this.out.add('sh.computed-command', line, node.text);
          else if (next === 'rm' || next.endsWith('/rm')) this.out.add('sh.delete-files', line, node.text);
          else this.judge(next, [], values.slice(i + 2), node, line, depth + 1);
        } else if (v === '-delete') this.out.add('sh.delete-files', line, node.text);
        else if (v !== undefined && /^-f(?:print|printf|ls|print0)$/.test(v)) this.out.add('sh.file-access', line, node.text);
      });
      return;
    }
    if (name === 'sed') {
      const scripts = values.filter((v, i) => v === undefined || !v.startsWith('-') || values[i - 1] === '-e');
      const script = scripts[0];
      if (script === undefined || /(?:^|[;{}\n]|^\s*[\d,$]+)\s*[ewWrR](?:\s|$)|^\s*[\d,$/]*\s*[ewWrR]\b|s(.)(?:(?!\1).)*\1(?:(?!\1).)*\1[gpIiMm\d]*[ew]/.test(script)) {
        this.out.add('sh.unknown-command', line, `${node.text}: sed script may run commands or write files`);
      }
      if (values.some((v) => v !== undefined && /^(?:-i|--in-place)/.test(v))) {
        const outside = values.find((v) => v !== undefined && v !== script && !v.startsWith('-') && !isWorkspacePath(v));
        if (outside !== undefined) this.out.add('sh.file-access', line, `${node.text}: edits ${outside} in place`);
      }
      return;
    }
    if (name === 'awk' || name === 'gawk' || name === 'mawk') {
      const program = values.find((v, i) => v === undefined || (!v.startsWith('-') && !/^-[vfF]$/.test(values[i - 1] ?? '')));
      if (values.includes('-f') || program === undefined || /\bsystem\s*\(|\|\s*(?:getline|")|"\s*\||\bgetline\b|\bENVIRON\b|\b(?:print|printf)\b[^;}]*>/.test(program)) {
        this.out.add('sh.unknown-command', line, `${node.text}: awk program may run commands or touch files`);
      }
      return;
    }
    if ((name === 'sort' && values.some((v) => v?.startsWith('--compress-program'))) || (name === 'split' && values.some((v) => v?.startsWith('--filter')))) {
      this.out.add('sh.unknown-command', line, `${node.text}: runs a program of its own choosing`);
      return;
    }
    if (WRITERS.has(name)) {
      const outside = values.find((v) => v !== undefined && !v.startsWith('-') && !isWorkspacePath(v));
      if (outside !== undefined) this.out.add('sh.file-access', line, `${node.text}: ${outside}`);
    }
  }

  private interpreter(language: Language | undefined, name: string, values: readonly (string | undefined)[], node: SyntaxNode, line: number): void {
    if (!language) {
      this.out.add('sh.interpreter', line, `${node.text}: ${name} is not analysed`);
      return;
    }
    const inline = INLINE_FLAGS[language] ?? [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === undefined) {
        this.out.add('sh.interpreter', line, node.text);
        return;
      }
      if (inline.includes(v) || (language === 'bash' && /^-\w*c\w*$/.test(v))) {
        const code = values[i + 1];
        if (code === undefined) this.out.add('sh.eval', line, node.text);
        else this.out.nested({ kind: 'inline', code, language, line });
        return;
      }
      if (v === '-m') {
        this.out.add('sh.interpreter', line, `${node.text}: runs a module`);
        return;
      }
      if (v.startsWith('-')) continue;
      const file = v.replace(/^\.\//, '').replace(/^\/workspace\//, '');
      if (this.context.files.has(file)) this.out.nested({ kind: 'file', path: file, language, line });
      else this.out.add('sh.interpreter', line, `${node.text}: ${v} is not a file of the action`);
      return;
    }
    // No script: the code comes from stdin, a here-document or a pipe.
    const heredoc = node.parent?.type === 'redirected_statement' ? node.parent.descendantsOfType(['heredoc_body'])[0] : undefined;
    const herestring = node.parent?.type === 'redirected_statement' ? node.parent.descendantsOfType(['herestring_redirect'])[0] : undefined;
    if (heredoc && !hasExpansion(heredoc)) {
      this.out.nested({ kind: 'inline', code: heredoc.text, language, line });
      return;
    }
    if (herestring) {
      const value = herestring.namedChildren.at(-1);
      const code = value ? this.fold(value) : undefined;
      if (code !== undefined) {
        this.out.nested({ kind: 'inline', code, language, line });
        return;
      }
    }
    this.out.add('sh.interpreter', line, `${node.text}: reads its code from input`);
    let pipeline = node.parent;
    while (pipeline && pipeline.type !== 'pipeline' && pipeline.type !== 'program') pipeline = pipeline.parent;
    if (pipeline?.type === 'pipeline' && DECODING.test(pipeline.text)) this.out.add('sh.decode-exec', line, pipeline.text);
  }

  /** The text a word always expands to, or undefined when it depends on the run. */
  private fold(node: SyntaxNode): string | undefined {
    switch (node.type) {
      case 'word':
      case 'command_name':
        if (node.type === 'command_name') {
          const inner = node.namedChildren[0];
          return inner ? this.fold(inner) : node.text;
        }
        return node.text.replace(/\\(.)/g, '$1');
      case 'number':
        return node.text;
      case 'raw_string':
        return node.text.slice(1, -1);
      case 'ansi_c_string':
        return unescapeAnsiC(node.text.slice(2, -1));
      case 'string': {
        let text = '';
        let last = node.startIndex + 1;
        const source = node.text;
        for (const child of node.namedChildren) {
          if (!child) continue;
          if (child.type === 'string_content') {
            text += source.slice(last - node.startIndex, child.startIndex - node.startIndex);
            text += child.text.replace(/\\([$`"\\\n])/g, '$1');
          } else {
            text += source.slice(last - node.startIndex, child.startIndex - node.startIndex);
            const value = this.fold(child);
            if (value === undefined) return undefined;
            text += value;
          }
          last = child.endIndex;
        }
        text += source.slice(last - node.startIndex, source.length - 1);
        return text;
      }
      case 'concatenation': {
        let text = '';
        for (const child of node.namedChildren) {
          const value = child ? this.fold(child) : undefined;
          if (value === undefined) return undefined;
          text += value;
        }
        return text;
      }
      case 'simple_expansion':
      case 'expansion': {
        const inner = node.namedChildren;
        if (inner.length !== 1 || inner[0]?.type !== 'variable_name') return undefined;
        return this.vars.get(inner[0].text);
      }
      default:
        return undefined;
    }
  }
}

/**
 * Whether an expansion lies inside `node`. Every expansion node begins with `$`, a backtick, `<(` or `>(`, so text
 * without those has none and the tree need not be searched: the search costs a pass over the grammar's whole
 * symbol table per call, which made it most of the analysis of a long script.
 */
function hasExpansion(node: SyntaxNode): boolean {
  return /[$`]|[<>]\(/.test(node.text) && node.descendantsOfType(EXPANSIONS).length > 0;
}

function unescapeAnsiC(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|.)/g, (whole, esc: string) => {
    const c = esc[0];
    if (c === 'x' || c === 'u' || c === 'U') return String.fromCodePoint(parseInt(esc.slice(1), 16));
    if (c !== undefined && c >= '0' && c <= '7') return String.fromCharCode(parseInt(esc, 8));
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"' };
    return simple[esc] ?? whole;
  });
}

/** Analyses one bash file. */
export function analyseBash(code: string, tree: SyntaxTree, context: AnalyserContext): AnalyserReport {
  return new BashAnalysis(code, tree, context).run();
}

/** The rule that decides running `name` before the safe list is consulted, if any (for `policy check`). */
export function bashCategoryOf(name: string): string | undefined {
  if (name === 'eval' || name === 'trap' || name === 'source' || name === '.') return 'sh.eval';
  if (PRIVILEGE.has(name)) return 'sh.privilege-escalation';
  if (WRAPPERS.has(name) || Object.hasOwn(INTERPRETERS, name)) return 'sh.interpreter';
  if (NETWORK.has(name)) return 'sh.network-tools';
  if (name === 'rm' || name === 'shred' || name === 'unlink' || name === 'rmdir') return 'sh.delete-files';
  return undefined;
}
