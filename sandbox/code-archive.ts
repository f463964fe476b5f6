import type { Language } from '../schemas/action.js';
import { LANGUAGE_ENTRYPOINTS } from './language-entrypoints.js';
import { singleFileTar } from './single-file-tar.js';

/** Root-owned and read-only: the sandbox user (65534) can run the code but not rewrite it. */
const CODE_FILE_MODE = 0o444;

/** A tar archive holding the code as the language's entry file, ready for put-archive into the code folder. */
export function buildCodeArchive(language: Language, code: string): Promise<Buffer> {
  return singleFileTar(LANGUAGE_ENTRYPOINTS[language].fileName, Buffer.from(code, 'utf8'), CODE_FILE_MODE);
}
