import { z } from 'zod';

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export const RiskLevelSchema = z.enum(RISK_LEVELS);
export type RiskLevel = z.infer<typeof RiskLevelSchema>;

export function riskRank(level: RiskLevel): number {
  return RISK_LEVELS.indexOf(level);
}

export function maxRiskLevel(a: RiskLevel, b: RiskLevel): RiskLevel {
  return riskRank(a) >= riskRank(b) ? a : b;
}

export const RiskFindingSchema = z.object({
  ruleId: z.string(),
  description: z.string(),
  level: RiskLevelSchema,
  score: z.number(),
  /** The text that matched, trimmed to a short excerpt. */
  match: z.string(),
  /** 1-based line of the match. */
  line: z.number().int(),
});
export type RiskFinding = z.infer<typeof RiskFindingSchema>;

export const RiskAssessmentSchema = z.object({
  level: RiskLevelSchema,
  score: z.number(),
  findings: z.array(RiskFindingSchema),
  /** Rule ids that decided the level (for automatic decisions). */
  ruleIds: z.array(z.string()),
  policyVersion: z.string(),
  codeSha256: z.string(),
});
export type RiskAssessment = z.infer<typeof RiskAssessmentSchema>;
