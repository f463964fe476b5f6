import type { Language } from '../schemas/action.js';
import type { InputFiles } from '../schemas/files.js';
import { LANGUAGE_ENTRYPOINTS } from './language-entrypoints.js';
import { rootOwnedTar } from './root-owned-tar.js';
import { LAUNCHER_FILE_NAME, SECCOMP_LAUNCHER_SOURCE } from './seccomp-launcher.js';
import { HELPER_FILE_NAME, INPUT_FILE_NAME, WORKSPACE_HELPER_SOURCE } from './workspace-helper.js';

/** Root-owned and read-only: the sandbox user (65534) can run the code but not rewrite it. */
const CODE_FILE_MODE = 0o444;

/**
 * A tar archive for put-archive into the code folder: the code as the language's entry file, the seccomp launcher,
 * the workspace helper, and the input files (one JSON file, unpacked inside by the helper as the sandbox user).
 */
export async function buildCodeArchive(
  language: Language,
  code: string,
  files?: InputFiles,
  /** More read-only files for the code folder (the action's CA certificate, for one). */
  extra: readonly [string, string][] = [],
): Promise<Buffer> {
  const entries: [string, string][] = [
    [LANGUAGE_ENTRYPOINTS[language].fileName, code],
    [LAUNCHER_FILE_NAME, SECCOMP_LAUNCHER_SOURCE],
    [HELPER_FILE_NAME, WORKSPACE_HELPER_SOURCE],
  ];
  if (files && Object.keys(files).length > 0) entries.push([INPUT_FILE_NAME, JSON.stringify(files)]);
  entries.push(...extra);
  return rootOwnedTar(entries.map(([name, text]) => ({ name, body: Buffer.from(text, 'utf8'), mode: CODE_FILE_MODE })));
}
