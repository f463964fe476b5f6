import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { assessRisk as scoreRisk } from '../policy/assess-risk.js';
import { BUILT_IN_RULES, type RiskRule } from '../policy/risk-rules.js';
import type { Language } from '../schemas/action.js';
import type { PolicySnapshot } from '../schemas/policy.js';
import type { RiskAssessment } from '../schemas/risk.js';

export interface ControlActivityDeps {
  logger: Logger;
  /** Returns the policy in force now; called once per run, whose history then pins it. */
  policy: () => PolicySnapshot;
  rules?: readonly RiskRule[];
}

/** Light activities on the control task queue: policy and risk. Pure computations, so retries are harmless. */
export function createControlActivities(deps: ControlActivityDeps) {
  const rules = deps.rules ?? BUILT_IN_RULES;
  return {
    async loadPolicy(): Promise<PolicySnapshot> {
      return deps.policy();
    },

    async assessRisk(input: { language: Language; code: string; policyVersion: string }): Promise<RiskAssessment> {
      const scored = scoreRisk(input.code, input.language, rules);
      const codeSha256 = createHash('sha256').update(input.code, 'utf8').digest('hex');
      deps.logger.debug({ codeSha256, level: scored.level, ruleIds: scored.ruleIds }, 'risk assessed');
      return { ...scored, policyVersion: input.policyVersion, codeSha256 };
    },
  };
}

export type ControlActivities = ReturnType<typeof createControlActivities>;
