/**
 * The stack the fault suite breaks on purpose: its own Temporal dev server on a database FILE (so it can be
 * SIGKILLed and started again on the same state) and the workers as child processes it can kill, stop and restart.
 * Everything listens on loopback; the sandbox workers use the engine of DOCKER_HOST (the shared one unless a fault
 * points a worker at a private engine).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { findFreePort } from '../../workers/dev-stack/port-check.js';
import { startDevServer, type DevServer } from '../../workers/dev-stack/temporal-dev-server.js';
import { readProcessRecord } from '../../workers/setup/process-record.js';

const WORKER_MAIN = fileURLToPath(new URL('../../workers/main.js', import.meta.url));
const LOOPBACK = '127.0.0.1';
/** Bundling the workflow code on a busy 2-core machine takes a while; a worker that needs longer is broken. */
const WORKER_READY_TIMEOUT_MS = 120_000;
const READY_LINE = 'workers polling';

export type WorkerRole = 'control' | 'sandbox';

/** One worker process of the suite. */
export interface WorkerProcess {
  role: WorkerRole;
  child: ChildProcess;
  exited: Promise<void>;
  /** Sends `signal` and, for a signal that ends the process, waits until it has. */
  signal(signal: NodeJS.Signals): Promise<void>;
}

export interface ChaosStack {
  home: string;
  address: string;
  taskQueue: string;
  client: Client;
  /** The environment every worker and CLI call of the suite gets (extra settings per call on top). */
  env: NodeJS.ProcessEnv;
  startWorker(role: WorkerRole, extraEnv?: NodeJS.ProcessEnv): Promise<WorkerProcess>;
  /** SIGKILLs the Temporal server (no shutdown of any kind), then starts it again on the same database file. */
  killTemporal(): Promise<void>;
  restartTemporal(): Promise<void>;
  stop(): Promise<void>;
}

export async function startChaosStack(options: {
  home: string;
  cliPath: string;
  namespace: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
}): Promise<ChaosStack> {
  const { home, logger } = options;
  const port = await findFreePort(LOOPBACK);
  const recordFile = path.join(home, 'temporal-server.json');
  const serverOptions = {
    cliPath: options.cliPath,
    dbFile: path.join(home, 'temporal.db'),
    logFile: path.join(home, 'temporal-server.log'),
    ip: LOOPBACK,
    port,
    uiPort: undefined,
    namespace: options.namespace,
    logger,
    recordFile,
  };
  let server: DevServer | undefined = await startDevServer(serverOptions);
  const address = server.address;
  // The client reconnects by itself once the server is back; one connection serves the whole suite.
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: options.namespace });
  const taskQueue = 'airlock-chaos';
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    AIRLOCK_HOME: home,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: options.namespace,
    AIRLOCK_TASK_QUEUE: taskQueue,
    // Cold containers: every fault finds its action's containers by their run label.
    AIRLOCK_WARM_POOL: 'off',
  };
  const workers: WorkerProcess[] = [];
  let workerCount = 0;

  const startWorker = async (role: WorkerRole, extraEnv: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> => {
    workerCount++;
    const logFile = path.join(home, `worker-${workerCount}-${role}.log`);
    const log = createWriteStream(logFile);
    const child = spawn(process.execPath, [WORKER_MAIN, '--role', role], {
      env: { ...env, LOG_LEVEL: 'info', LOG_FORMAT: 'json', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const worker: WorkerProcess = {
      role,
      child,
      exited,
      async signal(signal) {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill(signal);
        if (signal === 'SIGKILL' || signal === 'SIGTERM') await exited;
      },
    };
    workers.push(worker);
    const deadline = Date.now() + WORKER_READY_TIMEOUT_MS;
    for (;;) {
      const text = await readFile(logFile, 'utf8').catch(() => '');
      if (text.includes(READY_LINE)) return worker;
      if (child.exitCode !== null) throw new Error(`the ${role} worker exited before it polled (status ${child.exitCode}); its log: ${text.slice(-2000)}`);
      if (Date.now() > deadline) {
        await worker.signal('SIGKILL');
        throw new Error(`the ${role} worker did not poll within ${WORKER_READY_TIMEOUT_MS / 1000} s; its log: ${text.slice(-2000)}`);
      }
      await sleep(250);
    }
  };

  const killTemporal = async () => {
    const record = await readProcessRecord(recordFile);
    if (!record) throw new Error('the Temporal dev server left no process record; cannot kill it');
    process.kill(record.pid, 'SIGKILL');
    await server?.exited;
    server = undefined;
  };
  const restartTemporal = async () => {
    server = await startDevServer(serverOptions);
  };

  return {
    home,
    address,
    taskQueue,
    client,
    env,
    startWorker,
    killTemporal,
    restartTemporal,
    async stop() {
      for (const worker of workers) {
        if (worker.child.signalCode === 'SIGSTOP') worker.child.kill('SIGCONT');
        await worker.signal('SIGTERM');
      }
      await connection.close();
      await server?.stop();
    },
  };
}
