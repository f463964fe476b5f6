import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { assessRisk as scoreRisk } from '../policy/assess-risk.js';
import { fromRuleData } from '../policy/rule-data.js';
import { BUILT_IN_RULES, type RiskRule } from '../policy/risk-rules.js';
import type { ActionRef, Language } from '../schemas/action.js';
import type { LevelThresholds, PolicySnapshot, RiskRuleData } from '../schemas/policy.js';
import type { RiskAssessment } from '../schemas/risk.js';
import type { ApprovalChannelSettings } from '../channels/approval-channels.js';
import { createApprovalChannelActivities } from './approval-channel-activities.js';

export interface ControlActivityDeps {
  logger: Logger;
  /** Returns the policy in force now; called once per run, whose history then pins it. */
  policy: () => PolicySnapshot;
  rules?: readonly RiskRule[];
  /** Push channels for pending approvals; without them notifications report "not configured". */
  channels?: ApprovalChannelSettings;
}

export interface AssessRiskInput extends Partial<ActionRef> {
  language: Language;
  code: string;
  policyVersion: string;
  /** The pinned policy's rules and thresholds; the worker's own rules when absent (runs started before files). */
  rules?: RiskRuleData[];
  thresholds?: LevelThresholds;
}

/** Light activities on the control task queue: policy, risk and approval notifications. */
export function createControlActivities(deps: ControlActivityDeps) {
  const defaultRules = deps.rules ?? BUILT_IN_RULES;
  // Compiling a rule set once per policy version keeps per-action cost flat.
  const compiled = new Map<string, readonly RiskRule[]>();
  const rulesFor = (input: AssessRiskInput): readonly RiskRule[] => {
    if (!input.rules) return defaultRules;
    let rules = compiled.get(input.policyVersion);
    if (!rules) {
      rules = input.rules.map(fromRuleData);
      compiled.set(input.policyVersion, rules);
    }
    return rules;
  };
  return {
    async loadPolicy(): Promise<PolicySnapshot> {
      return deps.policy();
    },

    async assessRisk(input: AssessRiskInput): Promise<RiskAssessment> {
      const scored = scoreRisk(input.code, input.language, rulesFor(input), input.thresholds);
      const codeSha256 = createHash('sha256').update(input.code, 'utf8').digest('hex');
      deps.logger.debug({ codeSha256, level: scored.level, ruleIds: scored.ruleIds }, 'risk assessed');
      return { ...scored, policyVersion: input.policyVersion, codeSha256 };
    },

    ...createApprovalChannelActivities({ logger: deps.logger, ...deps.channels }),
  };
}

export type ControlActivities = ReturnType<typeof createControlActivities>;
