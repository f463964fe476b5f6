import type { Logger } from 'pino';
import type { ManagedArtifactStore } from '../platform/artifact-store.js';
import { startPeriodic } from './periodic-task.js';

/** A temporary artifact file older than this was left by a write that will never finish (writes take seconds). */
export const ARTIFACT_TEMP_MAX_AGE_MS = 30 * 60 * 1000;
/** How often a sandbox worker looks for such files. */
export const ARTIFACT_TEMP_SWEEP_INTERVAL_MS = 10 * 60 * 1000;

/**
 * Removes abandoned temporary files from the artifact store's folder at start and then periodically, logging what
 * each sweep removed. Several workers may share the folder: removals are idempotent. Returns a stop function.
 */
export function startArtifactTempSweep(options: {
  store: ManagedArtifactStore;
  logger: Logger;
  maxAgeMs?: number;
  intervalMs?: number;
}): () => Promise<void> {
  const { store, logger } = options;
  const sweep = store.sweepTemporaryFiles?.bind(store);
  if (!sweep) return () => Promise.resolve();
  const maxAgeMs = options.maxAgeMs ?? ARTIFACT_TEMP_MAX_AGE_MS;
  return startPeriodic(
    () =>
      sweep(maxAgeMs)
        .then((removed) => {
          if (removed.length > 0) logger.info({ location: store.location, removed }, `removed ${removed.length} abandoned temporary artifact file(s)`);
        })
        .catch((err: unknown) => logger.warn({ err, location: store.location }, 'sweeping temporary artifact files failed')),
    options.intervalMs ?? ARTIFACT_TEMP_SWEEP_INTERVAL_MS,
  );
}
