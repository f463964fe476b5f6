/**
 * Runs the sandbox host's Temporal workers only while its Docker engine answers. When the engine stops answering,
 * the workers shut down (a Temporal worker cannot pause its pollers), so no new sandbox task is taken by a host that
 * cannot run it: the tasks wait in their queue, or go to another host, and no attempt is spent on the outage. When
 * the engine answers again, fresh workers are created from a fresh look at the engine (its runtimes, its image).
 */
import type { Logger } from 'pino';
import type { EngineHealth } from '../sandbox/engine-health.js';

/** The part of a Temporal Worker this loop needs (tests pass small fakes). */
export interface GatedWorker {
  run(): Promise<void>;
  shutdown(): void;
  getState(): string;
}

export interface EngineGatedOptions {
  health: EngineHealth;
  /** Creates the workers of one polling period; called each time the engine comes (back) up. */
  createWorkers: () => Promise<GatedWorker[]>;
  logger: Logger;
  /** Aborting stops the workers and ends the loop. */
  signal: AbortSignal;
  /** Called once, when the first workers are polling. */
  onPolling?: () => void;
}

/** Resolves when `signal` aborts and the last workers have stopped; rejects when a worker fails on its own. */
export async function runWhileEngineAnswers(options: EngineGatedOptions): Promise<void> {
  const { health, logger, signal } = options;
  let announced = false;
  while (!signal.aborted) {
    if (health.state !== 'up') {
      logger.info('waiting for the Docker engine before polling the sandbox queues');
      if (!(await health.waitFor('up', signal))) break;
    }
    const workers = await options.createWorkers();
    const shutdownAll = () => {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    };
    let engineWentDown = false;
    const unsubscribe = health.onChange((state) => {
      if (state !== 'down') return;
      engineWentDown = true;
      shutdownAll();
    });
    signal.addEventListener('abort', shutdownAll, { once: true });
    try {
      const running = workers.map((worker) => worker.run());
      // The engine may have gone away while the workers were being created.
      if (health.state === 'down') {
        engineWentDown = true;
        shutdownAll();
      }
      if (!announced) {
        announced = true;
        options.onPolling?.();
      }
      // Another failure (not a shutdown of ours) stops the others and ends the loop with that error.
      await Promise.all(running.map((run) => run.catch((err: unknown) => {
        shutdownAll();
        throw err;
      })));
    } catch (err) {
      if (!engineWentDown) throw err;
      logger.warn({ err }, 'a sandbox worker stopped with an error while the Docker engine was down');
    } finally {
      unsubscribe();
      signal.removeEventListener('abort', shutdownAll);
    }
    if (engineWentDown && !signal.aborted) logger.warn('sandbox workers stopped polling until the Docker engine answers again');
  }
}
