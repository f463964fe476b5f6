import { readFile, stat } from 'node:fs/promises';
import { MAX_INPUT_FILES_BYTES, type InputFiles } from '../schemas/files.js';
import type { InputFileMapping } from './run-args.js';
import { BadInputError } from './usage-error.js';

/** Why a local file cannot be read, in words a user can act on; other errors are rethrown as they are. */
function unreadable(local: string, err: unknown): never {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') throw new BadInputError(`--file: local file not found: ${local}`);
  if (code === 'EISDIR') throw new BadInputError(`--file: ${local} is a directory: name each file with its own --file`);
  if (code === 'EACCES') throw new BadInputError(`--file: cannot read ${local}: permission denied`);
  throw err;
}

/**
 * Reads the local side of each --file mapping into the action's `files` (REMOTE → text). Input files travel in
 * workflow history as UTF-8 text, so binary files are refused here, and a file over the total cap is refused before
 * it is read into memory; the action schema then checks the total.
 */
export async function readInputFiles(mappings: readonly InputFileMapping[]): Promise<InputFiles> {
  const files: InputFiles = {};
  for (const { local, remote } of mappings) {
    let bytes: Buffer;
    try {
      const info = await stat(local);
      if (info.isFile() && info.size > MAX_INPUT_FILES_BYTES) {
        throw new BadInputError(
          `--file: ${local} is ${info.size} bytes, over the ${MAX_INPUT_FILES_BYTES}-byte limit for input files`,
        );
      }
      bytes = await readFile(local);
    } catch (err) {
      if (err instanceof BadInputError) throw err;
      unreadable(local, err);
    }
    try {
      files[remote] = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      throw new BadInputError(`--file: ${local} is not UTF-8 text: input files must be text`);
    }
  }
  return files;
}
