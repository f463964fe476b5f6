import type { ResourceLimits } from '../../schemas/action.js';
import type { LimitThresholds } from '../../schemas/policy.js';

/** Clauses naming each requested limit above its review threshold; empty when none is. Pure. */
export function limitsAboveThresholds(limits: ResourceLimits | undefined, thresholds: LimitThresholds): string[] {
  if (!limits) return [];
  return (Object.keys(thresholds) as (keyof LimitThresholds)[])
    .filter((name) => limits[name] !== undefined && thresholds[name] !== undefined && (limits[name] as number) > (thresholds[name] as number))
    .map((name) => `${name} ${String(limits[name])} > ${String(thresholds[name])}`);
}
