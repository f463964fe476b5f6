import os from 'node:os';
import { z } from 'zod';
import { LIMIT_BOUNDS } from '../../schemas/action.js';

/** What the sizing is derived from. */
export interface HostCapacity {
  cpus: number;
  totalMemoryBytes: number;
}

/** This machine's cores and memory. */
export function hostCapacity(): HostCapacity {
  return { cpus: Math.max(1, os.availableParallelism()), totalMemoryBytes: os.totalmem() };
}

const MIB = 1024 * 1024;
/** Share of the host's memory that sandboxes at their default limit may take together. */
const SANDBOX_MEMORY_SHARE = 0.5;
/** Sandboxes per core: most of an execution is spent waiting on the engine, not computing. */
const SANDBOXES_PER_CPU = 4;
const MIN_CONCURRENCY = 4;
const MAX_CONCURRENCY = 64;
/** Share of the host's memory idle pooled containers may hold, and what one is assumed to cost. */
const POOL_MEMORY_SHARE = 0.05;
const IDLE_CONTAINER_BYTES = { standard: 32 * MIB, strong: 128 * MIB } as const;
const POOL_PER_CPU = 1;
const MAX_DEFAULT_POOL = 8;

/** Sandboxes one worker runs at once, from cores and memory: each may use its default memory limit. */
export function defaultSandboxConcurrency(host: HostCapacity): number {
  const byCpu = host.cpus * SANDBOXES_PER_CPU;
  const byMemory = Math.floor((host.totalMemoryBytes * SANDBOX_MEMORY_SHARE) / (LIMIT_BOUNDS.memoryMb.default * MIB));
  return Math.max(1, Math.min(MAX_CONCURRENCY, Math.max(MIN_CONCURRENCY, byCpu), byMemory));
}

/** Warm containers per pool class, by default: a few per core, within the memory share of the isolation level. */
export function defaultPoolSize(host: HostCapacity, isolation: 'standard' | 'strong'): number {
  const byCpu = Math.min(MAX_DEFAULT_POOL, host.cpus * POOL_PER_CPU);
  const byMemory = Math.floor((host.totalMemoryBytes * POOL_MEMORY_SHARE) / IDLE_CONTAINER_BYTES[isolation]);
  return Math.max(0, Math.min(byCpu, byMemory));
}

const onOff = z
  .enum(['on', 'off', 'true', 'false', '1', '0'], { error: 'must be on or off' })
  .transform((v) => v === 'on' || v === 'true' || v === '1');
const count = (max: number) => z.coerce.number().int('must be a whole number').min(0, 'must be 0 or more').max(max, `must be at most ${max}`);

/** The sandbox worker's sizing variables, parsed once at start-up. */
export const SandboxSizingEnvSchema = z.object({
  /** `off` turns the warm pool off: every execution takes the cold path. */
  AIRLOCK_WARM_POOL: onOff.default(true),
  /** Warm containers kept per pool class; derived from the host when absent (0 turns the pool off). */
  AIRLOCK_WARM_POOL_SIZE: count(64).optional(),
  /** Pool classes kept warm at once (the least recently used goes first). */
  AIRLOCK_WARM_POOL_CLASSES: count(32).default(4),
  /** How long an unused warm container lives before it stops by itself (seconds). */
  AIRLOCK_WARM_POOL_IDLE_SEC: z.coerce.number().int().min(10).max(86_400).default(600),
  /** Sandbox activities one host runs at once; derived from the host when absent (workers/sandbox-host.ts reads it too). */
  AIRLOCK_SANDBOX_CAPACITY: z.coerce.number().int().min(1).max(256).optional(),
});

/** A sizing variable is not valid; the message names it. */
export class SandboxSizingError extends Error {
  override readonly name = 'SandboxSizingError';
}

/** How the sandbox worker sizes itself. */
export interface SandboxSizing {
  concurrency: number;
  pool: {
    enabled: boolean;
    /** Per class, by isolation level. */
    perClass: { standard: number; strong: number };
    maxClasses: number;
    idleSec: number;
  };
}

/** Reads the sizing variables (empty ones count as absent) and fills the rest in from the host. */
export function sandboxSizingFromEnv(env: NodeJS.ProcessEnv, host: HostCapacity = hostCapacity()): SandboxSizing {
  const present = Object.fromEntries(
    Object.keys(SandboxSizingEnvSchema.shape)
      .map((name) => [name, env[name]?.trim()] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = SandboxSizingEnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new SandboxSizingError(parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; '));
  }
  const values = parsed.data;
  const size = values.AIRLOCK_WARM_POOL_SIZE;
  const perClass = {
    standard: size ?? defaultPoolSize(host, 'standard'),
    strong: size ?? defaultPoolSize(host, 'strong'),
  };
  return {
    concurrency: values.AIRLOCK_SANDBOX_CAPACITY ?? defaultSandboxConcurrency(host),
    pool: {
      enabled: values.AIRLOCK_WARM_POOL && (perClass.standard > 0 || perClass.strong > 0) && values.AIRLOCK_WARM_POOL_CLASSES > 0,
      perClass,
      maxClasses: values.AIRLOCK_WARM_POOL_CLASSES,
      idleSec: values.AIRLOCK_WARM_POOL_IDLE_SEC,
    },
  };
}
