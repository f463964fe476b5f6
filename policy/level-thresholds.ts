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

/** The level a total score reaches; a policy file may move the thresholds. */
export function levelForScore(score: number, thresholds: Readonly<Record<'medium' | 'high', number>> = LEVEL_THRESHOLDS): RiskLevel {
  if (score >= thresholds.high) return 'high';
  if (score >= thresholds.medium) return 'medium';
  return 'low';
}
