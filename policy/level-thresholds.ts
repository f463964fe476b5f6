import type { RiskLevel } from '../schemas/risk.js';

/**
 * Total score from which an action is at least this level, whatever its findings' own levels. Scores never make an
 * action critical on their own: critical means "denied without asking", which only a rule that names a
 * destructive pattern may decide.
 */
export const LEVEL_THRESHOLDS: Readonly<Record<'medium' | 'high', number>> = {
  medium: 30,
  high: 70,
};

export function levelForScore(score: number): RiskLevel {
  if (score >= LEVEL_THRESHOLDS.high) return 'high';
  if (score >= LEVEL_THRESHOLDS.medium) return 'medium';
  return 'low';
}
