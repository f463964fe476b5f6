import { z } from 'zod';

/** The limits an execution can run into. */
export const LIMIT_KINDS = ['timeout', 'memory', 'pids', 'output'] as const;
export const LimitKindSchema = z.enum(LIMIT_KINDS);
export type LimitKind = z.infer<typeof LimitKindSchema>;

/** What one execution consumed, from the container's cgroup, and which limits it reached. */
export const ResourceUsageSchema = z.object({
  wallMs: z.number(),
  /** CPU time of every process in the sandbox; null when the engine reported no statistics. */
  cpuMs: z.number().nullable(),
  /** Highest memory use (including tmpfs pages) seen by the cgroup; null when unknown. */
  peakMemoryBytes: z.number().nullable(),
  limitsHit: z.array(LimitKindSchema),
});
export type ResourceUsage = z.infer<typeof ResourceUsageSchema>;
