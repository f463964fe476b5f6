import type { Logger } from 'pino';
import type { ManagedArtifactStore } from '../platform/artifact-store.js';
import { pruneArtifacts } from '../platform/artifact-retention.js';
import { startPeriodic } from './periodic-task.js';

/** How often a control worker applies AIRLOCK_ARTIFACT_RETENTION_DAYS. */
export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Applies the artifact retention setting once at start and then every interval, logging what each sweep deleted.
 * Several control workers may sweep the same store: deletes are idempotent. Returns a stop function that waits for a
 * sweep in progress.
 */
export function startRetention(options: { store: ManagedArtifactStore; olderThanDays: number; logger: Logger; intervalMs?: number }): () => Promise<void> {
  const { store, olderThanDays, logger } = options;
  return startPeriodic(
    () =>
      pruneArtifacts(store, { olderThanDays })
        .then((report) => {
          if (report.deleted.length === 0) return;
          logger.info(
            { location: report.location, olderThanDays, deleted: report.deleted.map((a) => a.sha256), deletedBytes: report.deletedBytes, kept: report.kept },
            `artifact retention deleted ${report.deleted.length} artifact(s)`,
          );
        })
        .catch((err: unknown) => logger.warn({ err, location: store.location }, 'artifact retention sweep failed')),
    options.intervalMs ?? RETENTION_INTERVAL_MS,
  );
}
