/**
 * A Docker engine of the suite's own, for the engine-outage fault: its own data root, exec root, pid file and unix
 * socket under a temporary folder, no bridge, no iptables, no IP forwarding, in a network namespace of its own, so
 * neither starting nor stopping it touches the shared engine or the host's network. The sandbox image is copied in from the shared engine (`docker save | load`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export interface PrivateDockerd {
  host: string;
  docker: Docker;
  /** Stops the engine (SIGTERM, as a service manager would) and waits until it is gone. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  destroy(): Promise<void>;
}

function run(command: string, args: string[], stdin?: NodeJS.ReadableStream): ChildProcess {
  const child = spawn(command, args, { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  if (stdin) stdin.pipe(child.stdin!);
  return child;
}

function finished(child: ChildProcess, what: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed (status ${code}): ${stderr.trim().slice(-500)}`)))),
  );
}

export async function startPrivateDockerd(image: string): Promise<PrivateDockerd> {
  // Short: a unix socket path has a limit of about 100 bytes.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alk-dockerd-'));
  const socket = path.join(dir, 'docker.sock');
  const host = `unix://${socket}`;
  const docker = new Docker({ socketPath: socket });
  const logFile = path.join(dir, 'dockerd.log');
  let daemon: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const fd = openSync(logFile, 'a');
    try {
      // In a network namespace of its own: a dockerd without a bridge deletes the host's `docker0` when it starts
      // (it removes a default bridge it will not manage), which would cut the machine's real engine off its bridge.
      // `unshare` execs dockerd in place, so the child's pid is the daemon's.
      daemon = spawn(
        'unshare',
        [
          '--net',
          '--',
          'dockerd',
          '--data-root', path.join(dir, 'data'),
          '--exec-root', path.join(dir, 'exec'),
          '--pidfile', path.join(dir, 'dockerd.pid'),
          '-H', host,
          '--iptables=false',
          '--ip6tables=false',
          '--bridge=none',
          '--ip-forward=false',
          '--ip-masq=false',
        ],
        { stdio: ['ignore', fd, fd] },
      );
    } finally {
      closeSync(fd);
    }
    const child = daemon;
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (await docker.ping().then(() => true, () => false)) return;
      if (child.exitCode !== null || Date.now() > deadline) {
        const log = await readFile(logFile, 'utf8').catch(() => '');
        throw new Error(`the private dockerd did not answer on ${host}: ${log.slice(-1500)}`);
      }
      await sleep(250);
    }
  };
  const stop = async () => {
    if (!daemon || daemon.exitCode !== null) return;
    daemon.kill('SIGTERM');
    const gone = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
    if (!gone) {
      daemon.kill('SIGKILL');
      await exited;
    }
  };

  await start();
  try {
    const save = run('docker', ['save', image]);
    const load = run('docker', ['-H', host, 'load'], save.stdout!);
    await Promise.all([finished(save, 'docker save'), finished(load, 'docker load into the private engine')]);
  } catch (err) {
    await stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    host,
    docker,
    stop,
    start,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}
