/**
 * The bench's workers in a process of their own, so that the parked suite measures the worker's memory and nothing
 * of the client's. Started by worker-child.ts with the stack's settings in its environment; talks over the IPC
 * channel: it sends `ready` once every worker polls, answers `rss` with its resident set size after a full garbage
 * collection (so the figure is what parked runs keep, not garbage not yet collected), and stops on `stop`.
 */
import { loadConfig } from '../../platform/config.js';
import { createLogger } from '../../platform/logger.js';
import { runWorkers } from '../../workers/run-workers.js';

export type WorkerRequest = { type: 'rss' } | { type: 'stop' };
export type WorkerReply = { type: 'ready' } | { type: 'rss'; bytes: number };

async function main(): Promise<void> {
  if (!process.send) throw new Error('worker-process.js is started by the bench, with an IPC channel');
  const send = (reply: WorkerReply) => process.send!(reply);
  const logger = createLogger({ name: 'airlock-bench-worker', level: process.env.LOG_LEVEL ?? 'warn' });
  const abort = new AbortController();
  process.on('message', (request: WorkerRequest) => {
    if (request.type === 'stop') abort.abort();
    if (request.type === 'rss') {
      (globalThis as { gc?: () => void }).gc?.();
      send({ type: 'rss', bytes: process.memoryUsage().rss });
    }
  });
  // The bench going away (killed, crashed) ends the workers too.
  process.on('disconnect', () => abort.abort());
  await runWorkers({ config: loadConfig(process.env), logger, signal: abort.signal, onReady: () => send({ type: 'ready' }) });
  process.disconnect?.();
}

main().catch((err: unknown) => {
  createLogger({ name: 'airlock-bench-worker' }).fatal({ err }, 'bench workers failed');
  process.exit(1);
});
