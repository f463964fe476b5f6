import path from 'node:path';
import { LANGUAGES, LanguageSchema, type Language } from '../schemas/action.js';
import { UsageError } from './usage-error.js';

const EXTENSION_LANGUAGES: Readonly<Record<string, Language>> = {
  '.py': 'python',
  '.js': 'node',
  '.mjs': 'node',
  '.cjs': 'node',
  '.sh': 'bash',
  '.bash': 'bash',
};

/**
 * The language of the code to run: `--lang` when given, else the file's extension. Reading stdin (`-`) or an
 * unknown extension needs `--lang`.
 */
export function inferLanguage(source: string, langFlag: string | undefined): Language {
  if (langFlag !== undefined) {
    const parsed = LanguageSchema.safeParse(langFlag);
    if (!parsed.success) throw new UsageError(`unknown language "${langFlag}": use --lang ${LANGUAGES.join('|')}`);
    return parsed.data;
  }
  const described = source === '-' ? 'code read from stdin' : `"${source}"`;
  const byExtension = source === '-' ? undefined : EXTENSION_LANGUAGES[path.extname(source).toLowerCase()];
  if (!byExtension) {
    throw new UsageError(`cannot tell the language of ${described}: pass --lang ${LANGUAGES.join('|')}`);
  }
  return byExtension;
}
