/** Starts worker-process.js as a child and speaks its IPC protocol (see there). */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerReply, WorkerRequest } from './worker-process.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./worker-process.js', import.meta.url));
/** Shutting down waits for cached workflows and container removals, slow on a loaded machine. */
const STOP_GRACE_MS = 120_000;

export interface WorkerChild {
  pid: number;
  /** Resident set size of the worker process after a full garbage collection, in bytes. */
  rssBytes(): Promise<number>;
  stop(): Promise<void>;
}

function nextReply<T extends WorkerReply['type']>(child: ChildProcess, type: T): Promise<Extract<WorkerReply, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: WorkerReply) => {
      if (reply.type !== type) return;
      cleanup();
      resolve(reply as Extract<WorkerReply, { type: T }>);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`the bench workers exited (${code}) before answering ${type}`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function startWorkerChild(env: NodeJS.ProcessEnv): Promise<WorkerChild> {
  const child = fork(WORKER_SCRIPT, [], {
    env,
    execArgv: ['--expose-gc'],
    // The workers' logs go to stderr: stdout carries the bench's report only.
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  await nextReply(child, 'ready');
  const request = (message: WorkerRequest) => child.send(message);
  return {
    pid: child.pid!,
    async rssBytes() {
      const reply = nextReply(child, 'rss');
      request({ type: 'rss' });
      return (await reply).bytes;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      request({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
