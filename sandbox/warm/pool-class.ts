import { createHash } from 'node:crypto';
import type { ExecutionRequest } from '../../schemas/execution.js';
import type { RuntimeChoice } from '../isolation.js';

/** Longest wall-clock limit a pooled container serves; longer actions take the cold path. */
export const MAX_POOLED_TIMEOUT_SEC = 300;
/** Largest memory limit kept warm: an idle container costs little, but a class this big is rare. */
export const MAX_POOLED_MEMORY_MB = 2048;

/** What a pooled container is created with: everything of the spec that depends on the request. */
export interface PoolClass {
  /** Stable text key: image id, runtime, isolation and the limits the container is created with. */
  key: string;
  imageId: string;
  runtime: string | undefined;
  isolation: 'standard' | 'strong';
  memoryMb: number;
  cpus: number;
  pids: number;
}

/** Why a request runs cold; undefined when a pooled container fits it. */
export type ColdReason = 'network' | 'timeout-above-pool-limit' | 'memory-above-pool-limit' | 'isolation-fallback';

/** Whether a request can be served by a pooled container. Pure. */
export function coldReason(request: ExecutionRequest, choice: RuntimeChoice): ColdReason | undefined {
  // An allowlist needs the action's own internal network and proxy, made for that action alone.
  if (request.network) return 'network';
  if (request.limits.timeoutSec > MAX_POOLED_TIMEOUT_SEC) return 'timeout-above-pool-limit';
  if (request.limits.memoryMb > MAX_POOLED_MEMORY_MB) return 'memory-above-pool-limit';
  // Rare, and the result must say why it ran standard: kept on the path that records it.
  if (choice.fallback) return 'isolation-fallback';
  return undefined;
}

/** The pool class a (fitting) request belongs to. Timeout, output cap, files and outputs do not change the container. */
export function poolClassFor(request: ExecutionRequest, choice: RuntimeChoice, imageId: string): PoolClass {
  const { memoryMb, cpus, pids } = request.limits;
  const isolation = choice.isolation;
  const key = [imageId, choice.runtime ?? 'default', isolation, `m${memoryMb}`, `c${cpus}`, `p${pids}`].join('|');
  return { key, imageId, runtime: choice.runtime, isolation, memoryMb, cpus, pids };
}

/** Short, name-safe digest of a class key (container names and the pool label). */
export function poolClassTag(poolClass: PoolClass): string {
  return createHash('sha256').update(poolClass.key).digest('hex').slice(0, 10);
}
