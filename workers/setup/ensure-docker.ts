import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { createDockerClient } from '../../sandbox/docker-client.js';
import { readProcessRecord, recordedProcessState, recordFor, removeProcessRecord, writeProcessRecord } from './process-record.js';
import { findOnPath, isExecutable } from './find-executable.js';
import type { ProgressReporter } from './progress.js';
import { runCommandShowingOutput } from './run-command.js';
import { DockerUnavailableError } from '../../platform/setup-errors.js';

const PING_TIMEOUT_MS = 5_000;
const DOCKERD_READY_TIMEOUT_MS = 60_000;
const DOCKERD_POLL_MS = 500;
/** Debian puts dockerd in /usr/sbin, which is not on every PATH. */
const DOCKERD_FALLBACK_PATHS = ['/usr/sbin/dockerd', '/usr/bin/dockerd'];

/** What set-up knows about the host when no Docker engine answers. */
export interface DockerHostFacts {
  platform: NodeJS.Platform;
  isRoot: boolean;
  isDebianLike: boolean;
  /** Path of dockerd when installed. */
  dockerdPath: string | undefined;
  /** DOCKER_HOST when set: a remote engine is the user's to start, never ours. */
  dockerHost: string | undefined;
}

/** Either start a local engine ourselves (installing it first if needed), or explain what the user must do. */
export type DockerStartPlan = { kind: 'start'; installFirst: boolean } | { kind: 'give-up'; message: string };

/** Decides, from facts alone, whether Airlock may install and start Docker itself. */
export function planDockerStart(facts: DockerHostFacts): DockerStartPlan {
  if (facts.dockerHost && !facts.dockerHost.startsWith('unix://')) {
    return {
      kind: 'give-up',
      message: `no Docker engine answers at DOCKER_HOST=${facts.dockerHost}. Start that engine, or unset DOCKER_HOST to use a local one.`,
    };
  }
  if (facts.platform !== 'linux' || !facts.isDebianLike) {
    return {
      kind: 'give-up',
      message:
        'no Docker engine answers. Install Docker (Docker Desktop, Docker Engine or Colima) and start it, ' +
        'then check that `docker info` works and run this command again.',
    };
  }
  if (!facts.isRoot) {
    return {
      kind: 'give-up',
      message: facts.dockerdPath
        ? 'no Docker engine answers. Start it (`sudo systemctl start docker`, or `sudo dockerd &`), make sure your ' +
          'user may use it (`sudo usermod -aG docker $USER`, then log in again), and run this command again.'
        : 'no Docker engine answers and Docker is not installed. Install it (`sudo apt-get install docker.io`), ' +
          'start it (`sudo systemctl start docker`), allow your user (`sudo usermod -aG docker $USER`, then log in ' +
          'again), and run this command again; or run this command as root to let Airlock do it.',
    };
  }
  return { kind: 'start', installFirst: facts.dockerdPath === undefined };
}

/** True when the engine answers a ping within a few seconds. */
export async function dockerAnswers(docker: Docker): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
  });
  try {
    return await Promise.race([docker.ping().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Returns a client for a Docker engine that answers. When none does and we are root on Debian or Ubuntu, installs
 * `docker.io` if dockerd is missing and starts dockerd in the background (it keeps running after Airlock exits,
 * like a system service would), with its log in `<home>/dockerd.log`. Otherwise throws a
 * {@link DockerUnavailableError} that says what to do.
 */
export async function ensureDocker(options: {
  home: string;
  onProgress: ProgressReporter;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}): Promise<Docker> {
  const env = options.env ?? process.env;
  const docker = createDockerClient();
  if (await dockerAnswers(docker)) return docker;

  const logFile = path.join(options.home, 'dockerd.log');
  const recordFile = path.join(options.home, 'dockerd.json');
  // A dockerd an earlier run started (and that outlived it, as meant) may still be starting: wait for it rather
  // than start a second engine that would fight it for its pid file and socket.
  const earlier = await readProcessRecord(recordFile);
  if (earlier && recordedProcessState(earlier) === 'running') {
    options.onProgress(`waiting for the Docker engine started earlier (pid ${earlier.pid}; log: ${logFile})`);
    await waitForDocker(docker, logFile);
    return docker;
  }
  if (earlier) await removeProcessRecord(recordFile);

  const plan = planDockerStart(await gatherDockerHostFacts(env));
  if (plan.kind === 'give-up') throw new DockerUnavailableError(plan.message);

  if (plan.installFirst) await installDockerPackage(options.onProgress, env);
  // A package install on a systemd host starts the service by itself.
  if (await dockerAnswers(docker)) return docker;

  const dockerdPath = await findDockerd(env);
  if (!dockerdPath) {
    throw new DockerUnavailableError('docker.io was installed but no dockerd binary was found; check `apt-get install docker.io`.');
  }
  options.onProgress(`starting the Docker engine in the background (log: ${logFile})`);
  const pid = await startDockerdInBackground(dockerdPath, logFile, env);
  if (pid !== undefined) await writeProcessRecord(recordFile, recordFor(pid, [dockerdPath]));
  await waitForDocker(docker, logFile);
  options.logger.info({ logFile }, 'started dockerd');
  return docker;
}

async function gatherDockerHostFacts(env: NodeJS.ProcessEnv): Promise<DockerHostFacts> {
  return {
    platform: process.platform,
    isRoot: process.getuid?.() === 0,
    isDebianLike: existsSync('/etc/debian_version'),
    dockerdPath: await findDockerd(env),
    dockerHost: env.DOCKER_HOST || undefined,
  };
}

async function findDockerd(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const onPath = await findOnPath('dockerd', env);
  if (onPath) return onPath;
  for (const candidate of DOCKERD_FALLBACK_PATHS) {
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function installDockerPackage(onProgress: ProgressReporter, env: NodeJS.ProcessEnv): Promise<void> {
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['install', '-y', 'docker.io'];
  onProgress('Docker is not installed: installing docker.io with apt-get');
  if ((await runCommandShowingOutput('apt-get', install, { env: aptEnv })) === 0) return;
  // A fresh machine often has empty package lists; refresh them once and retry.
  onProgress('refreshing the apt package lists and trying again');
  await runCommandShowingOutput('apt-get', ['update'], { env: aptEnv });
  if ((await runCommandShowingOutput('apt-get', install, { env: aptEnv })) === 0) return;
  throw new DockerUnavailableError(
    '`apt-get install docker.io` failed (see the output above). Install Docker yourself, start it, and run this command again.',
  );
}

/** Starts dockerd in a session of its own; resolves with its pid (undefined when it could not be spawned). */
async function startDockerdInBackground(dockerdPath: string, logFile: string, env: NodeJS.ProcessEnv): Promise<number | undefined> {
  await mkdir(path.dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  try {
    // detached: its own session, so a Ctrl-C aimed at Airlock does not stop the engine (and other users of it).
    const child = spawn(dockerdPath, [], { detached: true, stdio: ['ignore', fd, fd], env });
    child.once('error', () => {}); // reported through the readiness wait and the log instead
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

async function waitForDocker(docker: Docker, logFile: string): Promise<void> {
  const deadline = Date.now() + DOCKERD_READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await dockerAnswers(docker)) return;
    await sleep(DOCKERD_POLL_MS);
  }
  const log = await readFile(logFile, 'utf8').catch(() => '');
  const tail = log.trim().split('\n').slice(-10).join('\n');
  throw new DockerUnavailableError(
    `started dockerd but it did not answer within ${DOCKERD_READY_TIMEOUT_MS / 1000}s. Last lines of ${logFile}:\n${tail}`,
    logFile,
  );
}
