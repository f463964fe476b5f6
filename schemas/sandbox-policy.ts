import { z } from 'zod';
import { LIMIT_BOUNDS } from './action.js';
import { RiskLevelSchema } from './risk.js';

/** How the policy chooses isolation: strong from a risk level up, and what to do where gVisor is missing. */
export const IsolationPolicySchema = z.object({
  /** Actions at this risk level or above run with `strong` isolation whatever they ask for; null: never forced. */
  strongAtOrAbove: RiskLevelSchema.nullable(),
  /** `fail` the action, or `fallback` to standard isolation with a note in its result. */
  whenStrongUnavailable: z.enum(['fail', 'fallback']),
});
export type IsolationPolicy = z.infer<typeof IsolationPolicySchema>;

/** Highest limits an action may ask for; a request above one is refused, never silently lowered. */
export const LimitBoundsSchema = z
  .object({
    timeoutSec: z.number().positive(),
    memoryMb: z.number().positive(),
    cpus: z.number().positive(),
    pids: z.number().positive(),
    outputBytes: z.number().positive(),
  })
  .partial();
export type LimitBounds = z.infer<typeof LimitBoundsSchema>;

/** What applies when the policy says nothing: strong for high risk (critical is denied anyway), fail if unavailable. */
export const DEFAULT_ISOLATION_POLICY: IsolationPolicy = { strongAtOrAbove: 'high', whenStrongUnavailable: 'fail' };

/** Without policy bounds, the schema's own maxima are the bounds. */
export const DEFAULT_LIMIT_BOUNDS: Required<LimitBounds> = {
  timeoutSec: LIMIT_BOUNDS.timeoutSec.max,
  memoryMb: LIMIT_BOUNDS.memoryMb.max,
  cpus: LIMIT_BOUNDS.cpus.max,
  pids: LIMIT_BOUNDS.pids.max,
  outputBytes: LIMIT_BOUNDS.outputBytes.max,
};
