import type { IsolationLevel, ResourceLimits } from '../schemas/action.js';
import { RISK_LEVELS, type RiskLevel } from '../schemas/risk.js';
import { DEFAULT_ISOLATION_POLICY, DEFAULT_LIMIT_BOUNDS, type IsolationPolicy, type LimitBounds } from '../schemas/sandbox-policy.js';

/** Rule id recorded when the policy refuses an action for asking more than the bounds allow. */
export const LIMITS_ABOVE_BOUND_RULE = 'sandbox.limits-above-policy-bound';

/** The isolation an action runs with: what it asked for, raised to `strong` at the policy's risk level. Pure. */
export function isolationFor(
  requested: IsolationLevel | undefined,
  risk: RiskLevel,
  policy: IsolationPolicy = DEFAULT_ISOLATION_POLICY,
): { isolation: IsolationLevel; forcedByPolicy: boolean; whenStrongUnavailable: IsolationPolicy['whenStrongUnavailable'] } {
  const asked = requested ?? 'standard';
  const forced =
    policy.strongAtOrAbove !== null && RISK_LEVELS.indexOf(risk) >= RISK_LEVELS.indexOf(policy.strongAtOrAbove);
  return {
    isolation: forced ? 'strong' : asked,
    forcedByPolicy: forced && asked !== 'strong',
    whenStrongUnavailable: policy.whenStrongUnavailable,
  };
}

/**
 * Why the requested limits are refused, one clause per limit above its bound; undefined when all are within.
 * Bounds missing from the policy fall back to the schema's maxima.
 */
export function limitsAboveBounds(limits: ResourceLimits | undefined, bounds: LimitBounds | undefined): string | undefined {
  if (!limits) return undefined;
  const effective = { ...DEFAULT_LIMIT_BOUNDS, ...bounds };
  const problems = (Object.keys(effective) as (keyof typeof effective)[])
    .filter((name) => limits[name] !== undefined && (limits[name] as number) > effective[name])
    .map((name) => `${name} ${String(limits[name])} is above the policy's bound of ${effective[name]}`);
  return problems.length > 0 ? `limits refused: ${problems.join('; ')}` : undefined;
}
