import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { removeOrphans } from '../sandbox/reaper.js';

/** How often a sandbox worker looks for containers that no live execution owns. */
export const REAPER_INTERVAL_MS = 60_000;

/**
 * Sweeps once now (a restarted worker cleans up after its crashed predecessor before taking work), then every
 * interval. Returns a function that stops the loop and waits for a sweep in progress.
 */
export async function startReaper(options: { docker: Docker; logger: Logger; intervalMs?: number }): Promise<() => Promise<void>> {
  const { docker, logger } = options;
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    sweeping = removeOrphans({ docker, logger }).catch((err: unknown) => logger.warn({ err }, 'reaper sweep failed'));
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
