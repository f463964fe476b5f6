import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { removeOrphans } from '../sandbox/reaper.js';
import { ATTEMPT_JOURNAL_MAX_AGE_MS, type AttemptJournal } from '../sandbox/attempt-journal.js';
import type { WorkerLeases } from '../sandbox/worker-instance.js';

/** How often a sandbox worker looks for containers that no live execution owns. */
export const REAPER_INTERVAL_MS = 60_000;

/**
 * Sweeps once now (a restarted worker cleans up after its crashed predecessor before taking work), then every
 * interval. Returns a function that stops the loop and waits for a sweep in progress.
 */
export async function startReaper(options: {
  docker: Docker;
  logger: Logger;
  intervalMs?: number;
  /** Owners' leases, and this worker's own instance id (always alive). */
  leases?: WorkerLeases;
  self?: string;
  /** Swept of entries older than a day (and of temporary files a crash left). */
  journal?: AttemptJournal;
}): Promise<() => Promise<void>> {
  const { docker, logger, leases, self, journal } = options;
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    sweeping = (async () => {
      await removeOrphans({ docker, logger, ...(leases ? { leases } : {}), ...(self ? { self } : {}) });
      await journal?.sweep(ATTEMPT_JOURNAL_MAX_AGE_MS);
      await leases?.sweep();
    })().catch((err: unknown) => logger.warn({ err }, 'reaper sweep failed'));
    return sweeping;
  };
  await sweep();
  const timer = setInterval(() => void sweep(), options.intervalMs ?? REAPER_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await sweeping;
  };
}
