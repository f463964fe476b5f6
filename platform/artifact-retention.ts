import type { ManagedArtifactStore, StoredArtifact } from './artifact-store.js';

/** What one retention sweep removed (or, on a dry run, would remove). */
export interface RetentionReport {
  location: string;
  olderThanDays: number;
  /** Artifacts last written before this instant were removed. */
  cutoff: Date;
  deleted: StoredArtifact[];
  deletedBytes: number;
  kept: number;
  dryRun: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes the artifacts of runs older than `olderThanDays`. Artifacts are content-addressed and shared by every run
 * that produced the same bytes, and each such put refreshes the write time; so an artifact whose write time is older
 * than the cutoff belongs only to runs older than it, and one that a recent run still refers to is kept.
 */
export async function pruneArtifacts(
  store: ManagedArtifactStore,
  options: { olderThanDays: number; now?: Date; dryRun?: boolean },
): Promise<RetentionReport> {
  if (!(options.olderThanDays > 0)) throw new RangeError(`retention must be a positive number of days, got ${options.olderThanDays}`);
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.olderThanDays * DAY_MS);
  const deleted: StoredArtifact[] = [];
  let kept = 0;
  // Listed first, deleted after: deleting while a listing pages on can make some stores skip entries.
  const expired: StoredArtifact[] = [];
  for await (const artifact of store.list()) {
    if (artifact.writtenAt < cutoff) expired.push(artifact);
    else kept += 1;
  }
  for (const artifact of expired) {
    if (!options.dryRun) await store.delete(artifact.sha256);
    deleted.push(artifact);
  }
  return {
    location: store.location,
    olderThanDays: options.olderThanDays,
    cutoff,
    deleted,
    deletedBytes: deleted.reduce((sum, a) => sum + a.bytes, 0),
    kept,
    dryRun: options.dryRun === true,
  };
}
