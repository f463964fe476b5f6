import { z } from 'zod';

/** How one sandbox host presents itself: what it can run and how much at once. */
export const SandboxHostEnvSchema = z.object({
  /**
   * `auto` (default): runc, plus runsc when the Docker engine has it. Or a list (`runc`, `runsc`, `runc,runsc`):
   * a host that lists runsc must have it, and a host that leaves it out never takes strong-isolation work.
   */
  AIRLOCK_SANDBOX_RUNTIMES: z
    .string()
    .trim()
    .default('auto')
    .transform((value) => (value === '' || value === 'auto' ? 'auto' : value.split(',').map((r) => r.trim())))
    .pipe(z.union([z.literal('auto'), z.array(z.enum(['runc', 'runsc'])).min(1)])),
  /** Sandboxes this host runs at once from the common queue; derived from its cores and memory when unset. */
  AIRLOCK_SANDBOX_CAPACITY: z.coerce.number().int().min(1).max(256).optional(),
  /** Sandboxes this host runs at once from the strong-isolation queue (gVisor hosts only); defaults to the above. */
  AIRLOCK_SANDBOX_STRONG_CAPACITY: z.coerce.number().int().min(1).max(256).optional(),
  /** How this worker names itself to Temporal (shown with its capabilities in the pollers of each queue). */
  AIRLOCK_WORKER_IDENTITY: z.string().trim().min(1).max(200).optional(),
});
export type SandboxHostEnv = z.infer<typeof SandboxHostEnvSchema>;
