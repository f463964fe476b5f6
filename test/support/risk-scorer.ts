import { currentPolicy } from '../../policy/policy-snapshot.js';
import { ActionScorer, type ScoredAction } from '../../policy/score-action.js';
import type { RiskScore } from '../../policy/assess-risk.js';
import type { Language } from '../../schemas/action.js';

const builtIn = currentPolicy({ approvers: null });
const scorer = new ActionScorer({ rules: builtIn.rules ?? [], thresholds: builtIn.thresholds, analysis: builtIn.analysis! });

/** Scores code (and optionally files and limits) with the built-in policy, as the assessRisk activity does. */
export function scoreCode(code: string, language: Language, extra: Omit<ScoredAction, 'code' | 'language'> = {}): Promise<RiskScore> {
  return scorer.score({ code, language, ...extra });
}
