import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { assessRisk as scoreWithRules, type RiskScore } from '../policy/assess-risk.js';
import { fromRuleData } from '../policy/rule-data.js';
import { LEGACY_RISK_RULES, type RiskRule } from '../policy/risk-rules.js';
import { ActionScorer } from '../policy/score-action.js';
import type { ActionRef, Language, ResourceLimits } from '../schemas/action.js';
import type { NetworkRequest } from '../schemas/network.js';
import type { AnalysisPolicy, LevelThresholds, PolicySnapshot, RiskRuleData } from '../schemas/policy.js';
import type { RiskAssessment } from '../schemas/risk.js';
import type { ApprovalChannelSettings } from '../channels/approval-channels.js';
import { createApprovalChannelActivities } from './approval-channel-activities.js';
import { createRunCallbackActivities } from './run-callback-activities.js';

export interface ControlActivityDeps {
  logger: Logger;
  /** Returns the policy in force now; called once per run, whose history then pins it. */
  policy: () => PolicySnapshot;
  /** Rules for runs that pinned none (started before policy files); the legacy regex rules by default. */
  rules?: readonly RiskRule[];
  /** Push channels for pending approvals; without them notifications report "not configured". */
  channels?: ApprovalChannelSettings;
  /** Signs run-event callbacks (AIRLOCK_CALLBACK_SECRET); without it callbacks are not delivered. */
  callbackSecret?: string;
}

export interface AssessRiskInput extends Partial<ActionRef> {
  language: Language;
  code: string;
  policyVersion: string;
  /** The pinned policy's rules and thresholds; the worker's own rules when absent (runs started before files). */
  rules?: RiskRuleData[];
  thresholds?: LevelThresholds;
  /** The pinned analyser data; absent for runs pinned before the analyser, which keep their regex scoring. */
  analysis?: AnalysisPolicy;
  /** Input files: those that are code are scored with the code. */
  files?: Record<string, string>;
  /** Requested limits: above the pinned thresholds they raise the risk. */
  limits?: ResourceLimits;
  /** The action's network request: judged by the workflow, recorded here so a replay sees the whole action. */
  network?: NetworkRequest;
}

/**
 * What the local `assessRiskWithInput` activity returns. A local activity's history marker keeps only its result,
 * so the input it scored travels in the result: the audit and a shadow replay read both from history, as they read
 * a scheduled activity's input.
 */
export interface RecordedRiskAssessment {
  assessment: RiskAssessment;
  input: AssessRiskInput;
}

/** Light activities on the control task queue: policy, risk, approval notifications and run-event callbacks. */
export function createControlActivities(deps: ControlActivityDeps) {
  const legacyRules = deps.rules ?? LEGACY_RISK_RULES;
  // Compiling a policy once per version keeps per-action cost flat.
  const compiled = new Map<string, readonly RiskRule[]>();
  const scorers = new Map<string, ActionScorer>();
  const score = async (input: AssessRiskInput): Promise<RiskScore> => {
    if (input.analysis) {
      let scorer = scorers.get(input.policyVersion);
      if (!scorer) {
        scorer = new ActionScorer({ rules: input.rules ?? [], thresholds: input.thresholds, analysis: input.analysis });
        scorers.set(input.policyVersion, scorer);
      }
      return scorer.score(input);
    }
    if (!input.rules) return scoreWithRules(input.code, input.language, legacyRules, input.thresholds);
    let rules = compiled.get(input.policyVersion);
    if (!rules) {
      rules = input.rules.map(fromRuleData);
      compiled.set(input.policyVersion, rules);
    }
    return scoreWithRules(input.code, input.language, rules, input.thresholds);
  };
  const assessRisk = async (input: AssessRiskInput): Promise<RiskAssessment> => {
    const scored = await score(input);
    const codeSha256 = createHash('sha256').update(input.code, 'utf8').digest('hex');
    deps.logger.debug({ codeSha256, level: scored.level, ruleIds: scored.ruleIds }, 'risk assessed');
    return { ...scored, policyVersion: input.policyVersion, codeSha256 };
  };
  return {
    async loadPolicy(): Promise<PolicySnapshot> {
      return deps.policy();
    },

    assessRisk,

    /** The local-activity form of assessRisk (the workflow's worker runs it in the workflow task's own round trip). */
    async assessRiskWithInput(input: AssessRiskInput): Promise<RecordedRiskAssessment> {
      return { assessment: await assessRisk(input), input };
    },

    ...createApprovalChannelActivities({ logger: deps.logger, ...deps.channels }),
    ...createRunCallbackActivities({ logger: deps.logger, policy: deps.policy, ...(deps.callbackSecret ? { callbackSecret: deps.callbackSecret } : {}) }),
  };
}

export type ControlActivities = ReturnType<typeof createControlActivities>;
