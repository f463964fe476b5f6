import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { findOnPath, isExecutable } from './find-executable.js';
import type { ProgressReporter } from './progress.js';
import { runCommandShowingOutput } from './run-command.js';

/** Name under which the gVisor runtime is registered with the Docker engine (`docker run --runtime runsc`). */
export const RUNSC_RUNTIME_NAME = 'runsc';
/**
 * gVisor gets no network stack of its own: a strong sandbox never needs one, and its netstack would otherwise be a
 * second network implementation to trust. `--oci-seccomp` makes runsc apply the container's seccomp profile (the
 * stricter one Airlock passes, see sandbox/seccomp-profile.ts) inside the sandbox; without it runsc ignores it.
 */
export const RUNSC_RUNTIME_ARGS: readonly string[] = ['--network=none', '--oci-seccomp'];

const DAEMON_JSON = '/etc/docker/daemon.json';
const DOCKERD_PID_FILE = '/var/run/docker.pid';
const RUNSC_FALLBACK_PATHS = ['/usr/bin/runsc', '/usr/sbin/runsc', '/usr/local/bin/runsc'];
const RELOAD_WAIT_MS = 20_000;
const RELOAD_POLL_MS = 500;

/** Whether the `strong` isolation level can run on this Docker host, and if not, why. */
export type RunscStatus = { available: true; path?: string } | { available: false; reason: string };

/** The daemon.json content with the runsc runtime entry set (other keys kept as they are). Pure. */
export function withRunscRuntime(daemonConfig: Record<string, unknown>, runscPath: string): Record<string, unknown> {
  const runtimes = (daemonConfig.runtimes ?? {}) as Record<string, unknown>;
  return {
    ...daemonConfig,
    runtimes: { ...runtimes, [RUNSC_RUNTIME_NAME]: { path: runscPath, runtimeArgs: [...RUNSC_RUNTIME_ARGS] } },
  };
}

/** Runtime names the engine reports (`docker info` Runtimes). */
export async function engineRuntimes(docker: Docker): Promise<string[]> {
  const info = (await docker.info()) as { Runtimes?: Record<string, unknown> };
  return Object.keys(info.Runtimes ?? {});
}

/** The runsc entry as the engine reports it, when registered. */
async function registeredRunsc(docker: Docker): Promise<{ path?: string; runtimeArgs?: string[] } | undefined> {
  const info = (await docker.info()) as { Runtimes?: Record<string, { path?: string; runtimeArgs?: string[] }> };
  return info.Runtimes?.[RUNSC_RUNTIME_NAME];
}

/** Whether a registered runsc carries every argument Airlock needs (no network, the OCI seccomp profile). Pure. */
export function hasRunscArgs(entry: { runtimeArgs?: string[] } | undefined): boolean {
  return entry !== undefined && RUNSC_RUNTIME_ARGS.every((arg) => entry.runtimeArgs?.includes(arg));
}

/**
 * Makes the gVisor runtime available to the Docker engine when it can: already registered → nothing to do. Otherwise,
 * only as root on Debian-like Linux with a local engine: installs the Debian package `runsc` when missing, adds it
 * to /etc/docker/daemon.json and asks dockerd to reload its configuration (SIGHUP; runtimes are reloadable, so
 * running containers are not disturbed). Never throws for a missing runtime: `strong` isolation is then unavailable
 * and the policy decides (fail, or fall back with a note in the action's record).
 */
export async function ensureRunsc(options: {
  docker: Docker;
  onProgress: ProgressReporter;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}): Promise<RunscStatus> {
  const { docker, onProgress, logger } = options;
  const env = options.env ?? process.env;
  const registered = await registeredRunsc(docker);
  if (hasRunscArgs(registered)) return { available: true };

  const unavailable = (reason: string): RunscStatus => {
    logger.info({ reason }, 'gVisor (runsc) unavailable: strong isolation cannot run on this host');
    onProgress(`gVisor (runsc) unavailable, strong isolation disabled: ${reason}`);
    return { available: false, reason };
  };
  if (env.DOCKER_HOST && !env.DOCKER_HOST.startsWith('unix://')) {
    return unavailable('the Docker engine is remote (DOCKER_HOST); register runsc with that engine yourself');
  }
  if (process.platform !== 'linux' || !existsSync('/etc/debian_version') || process.getuid?.() !== 0) {
    return unavailable(
      'install gVisor (`apt-get install runsc` on Debian), add it to the engine\'s daemon.json runtimes, reload dockerd',
    );
  }

  // Registered without the arguments (an older set-up): re-registered with them, same binary.
  let runscPath = registered?.path ?? (await findRunsc(env));
  if (!runscPath) {
    onProgress('gVisor is not installed: installing the Debian package runsc');
    runscPath = await installRunsc(env);
    if (!runscPath) return unavailable('`apt-get install runsc` failed (see the output above)');
  }

  let current: Record<string, unknown> = {};
  try {
    current = JSON.parse(await readFile(DAEMON_JSON, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      return unavailable(`${DAEMON_JSON} is not readable JSON (${(err as Error).message}); fix it and run again`);
    }
  }
  await mkdir(path.dirname(DAEMON_JSON), { recursive: true });
  const temp = `${DAEMON_JSON}.airlock-${process.pid}`;
  await writeFile(temp, `${JSON.stringify(withRunscRuntime(current, runscPath), null, 2)}\n`);
  await rename(temp, DAEMON_JSON);
  onProgress(`registered gVisor (${runscPath}) with the Docker engine in ${DAEMON_JSON}; reloading dockerd`);

  const pid = await dockerdPid();
  if (pid === undefined) return unavailable(`no dockerd pid in ${DOCKERD_PID_FILE}: restart dockerd to load runsc`);
  process.kill(pid, 'SIGHUP');
  const deadline = Date.now() + RELOAD_WAIT_MS;
  while (Date.now() < deadline) {
    if (hasRunscArgs(await registeredRunsc(docker))) {
      logger.info({ runscPath }, 'gVisor runtime registered with the Docker engine');
      return { available: true, path: runscPath };
    }
    await sleep(RELOAD_POLL_MS);
  }
  return unavailable(`dockerd did not list runsc with ${RUNSC_RUNTIME_ARGS.join(' ')} after reloading its configuration: restart dockerd`);
}

async function findRunsc(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const onPath = await findOnPath('runsc', env);
  if (onPath) return onPath;
  for (const candidate of RUNSC_FALLBACK_PATHS) if (await isExecutable(candidate)) return candidate;
  return undefined;
}

async function installRunsc(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['install', '-y', 'runsc'];
  if ((await runCommandShowingOutput('apt-get', install, { env: aptEnv })) !== 0) {
    // Empty package lists on a fresh machine: refresh once and retry.
    await runCommandShowingOutput('apt-get', ['update'], { env: aptEnv });
    if ((await runCommandShowingOutput('apt-get', install, { env: aptEnv })) !== 0) return undefined;
  }
  return findRunsc(env);
}

async function dockerdPid(): Promise<number | undefined> {
  const text = await readFile(DOCKERD_PID_FILE, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
