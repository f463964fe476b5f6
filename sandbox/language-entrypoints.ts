import type { Language } from '../schemas/action.js';

/** Folder (an anonymous volume) that receives the code file before the container starts. */
export const CODE_DIR = '/airlock';

/** The file the code is written to and the command that runs it, per language. */
export interface LanguageEntrypoint {
  fileName: string;
  command: string[];
}

export const LANGUAGE_ENTRYPOINTS: Readonly<Record<Language, LanguageEntrypoint>> = {
  python: { fileName: 'main.py', command: ['python3', `${CODE_DIR}/main.py`] },
  node: { fileName: 'main.js', command: ['node', `${CODE_DIR}/main.js`] },
  bash: { fileName: 'main.sh', command: ['bash', `${CODE_DIR}/main.sh`] },
};
