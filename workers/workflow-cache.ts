/**
 * How many workflow executions the control worker keeps in memory (Temporal's sticky cache). A cached run answers
 * its next task at once; an evicted one is rebuilt by replaying its history when it next has work (an approval,
 * a new action), which costs milliseconds for the short history of a parked run. So the cache is a memory budget,
 * not a limit on runs: any number can be parked, and only the most recently active stay in memory.
 */
import { z } from 'zod';

/**
 * Default cache size: the SDK's own default. Runs past it are evicted and replayed when they next have work, so
 * parked runs beyond this number cost the worker no memory; `npm run bench -- --suite parked` measures what the
 * cached ones cost (docs/performance.md).
 */
export const DEFAULT_WORKFLOW_CACHE_SIZE = 1_000;

const CacheSizeSchema = z.coerce
  .number({ message: 'AIRLOCK_WORKFLOW_CACHE_SIZE must be a whole number of workflow executions' })
  .int('AIRLOCK_WORKFLOW_CACHE_SIZE must be a whole number of workflow executions')
  .min(0, 'AIRLOCK_WORKFLOW_CACHE_SIZE must be 0 (no cache) or more')
  .max(1_000_000, 'AIRLOCK_WORKFLOW_CACHE_SIZE must be at most 1000000');

/** AIRLOCK_WORKFLOW_CACHE_SIZE, or the default; a readable error for anything else. */
export function workflowCacheSizeFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.AIRLOCK_WORKFLOW_CACHE_SIZE?.trim();
  if (raw === undefined || raw === '') return DEFAULT_WORKFLOW_CACHE_SIZE;
  const parsed = CacheSizeSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${parsed.error.issues[0]?.message ?? 'invalid AIRLOCK_WORKFLOW_CACHE_SIZE'} (got "${raw}")`);
  return parsed.data;
}
