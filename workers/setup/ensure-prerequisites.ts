import path from 'node:path';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import {
  ensureSandboxImage,
  SANDBOX_IMAGE_BUILDS,
  type SandboxImage,
  type SandboxImageBuild,
} from '../../sandbox/image/ensure-sandbox-image.js';
import { ensureDocker } from './ensure-docker.js';
import { ensureRunsc, type RunscStatus } from './ensure-runsc.js';
import { ensureTemporalCli, type TemporalCli } from './ensure-temporal-cli.js';
import { ensureTestServer } from './ensure-test-server.js';
import type { ProgressReporter } from './progress.js';
import { InvalidSetupSettingError } from '../../platform/setup-errors.js';

/** Everything the stack needs on this machine, ready to use. */
export interface Prerequisites {
  docker: Docker;
  sandboxImage: SandboxImage;
  /** Whether gVisor (`strong` isolation) can run on this engine. */
  runsc: RunscStatus;
  /** Absent when the caller uses a Temporal server it does not start itself. */
  temporalCli?: TemporalCli;
  /** Present when asked for (the test stack). */
  testServerPath?: string;
}

/**
 * Installs or locates what is missing, in the order a person would: Docker engine, sandbox image, Temporal CLI,
 * and (for tests) the time-skipping test server. Things found already installed are reused as they are.
 */
export async function ensurePrerequisites(options: {
  /** Persistent state folder (`.airlock`): dockerd's log and downloaded binaries (`bin/`) live there. */
  stateDir: string;
  sandboxImageName: string;
  needTemporalCli: boolean;
  needTestServer: boolean;
  onProgress: ProgressReporter;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}): Promise<Prerequisites> {
  const { onProgress, logger, env } = options;
  const binDir = path.join(options.stateDir, 'bin');

  const docker = await ensureDocker({ home: options.stateDir, onProgress, logger, env });
  const sandboxImage = await ensureSandboxImage({
    docker,
    imageName: options.sandboxImageName,
    build: sandboxImageBuild(env ?? process.env),
    logger,
    onProgress: (line) => onProgress(`sandbox image: ${line}`),
  });
  const runsc = await ensureRunsc({ docker, onProgress, logger, env });
  const temporalCli = options.needTemporalCli
    ? await ensureTemporalCli({ binDir, onProgress, logger, env })
    : undefined;
  const testServerPath = options.needTestServer
    ? await ensureTestServer({ binDir, onProgress, logger, env })
    : undefined;
  return { docker, sandboxImage, runsc, temporalCli, testServerPath };
}

/** AIRLOCK_SANDBOX_IMAGE_BUILD, checked here because set-up is where a person reads the error. */
export function sandboxImageBuild(env: NodeJS.ProcessEnv): SandboxImageBuild {
  const value = env.AIRLOCK_SANDBOX_IMAGE_BUILD?.trim() || 'auto';
  if ((SANDBOX_IMAGE_BUILDS as readonly string[]).includes(value)) return value as SandboxImageBuild;
  throw new InvalidSetupSettingError(
    `AIRLOCK_SANDBOX_IMAGE_BUILD=${value} is not one of ${SANDBOX_IMAGE_BUILDS.join(', ')}`,
  );
}
