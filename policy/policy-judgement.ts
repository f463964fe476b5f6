/**
 * What a policy would decide about one action, without running anything: the score, the network and limit checks
 * the workflow applies, and the gate of the resulting level. `airlock policy test` and `airlock policy replay`
 * judge with it, so they agree with what a run would do.
 */
import type { ResourceLimits } from '../schemas/action.js';
import type { NetworkRequest } from '../schemas/network.js';
import type { PolicySnapshot } from '../schemas/policy.js';
import type { RiskLevel } from '../schemas/risk.js';
import { assessRisk, type RiskScore } from './assess-risk.js';
import { gateFor, GATE_RULE_IDS } from './gate.js';
import { withNetworkRisk } from './network-risk.js';
import { fromRuleData } from './rule-data.js';
import { LEGACY_RISK_RULES } from './risk-rules.js';
import { limitsAboveBounds, LIMITS_ABOVE_BOUND_RULE } from './sandbox-policy.js';
import { ActionScorer, type ScoredAction } from './score-action.js';

/** The gate's answer: run without asking, ask humans, or refuse. */
export type GateOutcome = 'auto' | 'human' | 'deny';

export interface JudgedAction extends ScoredAction {
  network?: NetworkRequest;
  limits?: ResourceLimits;
}

export interface Judgement {
  level: RiskLevel;
  score: number;
  outcome: GateOutcome;
  /** The gate's rule id first (as the workflow records it), then the risk rules that matched. */
  ruleIds: string[];
}

/** Scores actions under one policy snapshot; compiled once, reused for every action. */
export class PolicyJudge {
  private readonly scorer: ActionScorer | undefined;

  constructor(private readonly policy: PolicySnapshot) {
    this.scorer = policy.analysis
      ? new ActionScorer({ rules: policy.rules ?? [], thresholds: policy.thresholds, analysis: policy.analysis })
      : undefined;
  }

  /** The score alone, as the assessRisk activity computes it for this snapshot. */
  async score(action: ScoredAction): Promise<RiskScore> {
    if (this.scorer) return this.scorer.score(action);
    const rules = this.policy.rules ? this.policy.rules.map(fromRuleData) : LEGACY_RISK_RULES;
    return assessRisk(action.code, action.language, rules, this.policy.thresholds);
  }

  async judge(action: JudgedAction): Promise<Judgement> {
    const scored = await this.score(action);
    return judgementOf(this.policy, { ...scored, policyVersion: this.policy.version, codeSha256: '' }, action);
  }
}

/** The gate outcome of an already scored action, with the workflow's network and limit checks. Pure. */
export function judgementOf(policy: PolicySnapshot, scored: Parameters<typeof withNetworkRisk>[0], action: Pick<JudgedAction, 'network' | 'limits'>): Judgement {
  const risk = withNetworkRisk(scored, action.network, policy.network);
  if (limitsAboveBounds(action.limits, policy.limitBounds)) {
    return { level: risk.level, score: risk.score, outcome: 'deny', ruleIds: [LIMITS_ABOVE_BOUND_RULE, ...risk.ruleIds] };
  }
  const mode = gateFor(policy, risk.level).mode;
  const gateRule = mode === 'deny' ? [GATE_RULE_IDS.deny(risk.level)] : mode === 'auto' ? [GATE_RULE_IDS.autoApprove(risk.level)] : [];
  return { level: risk.level, score: risk.score, outcome: mode, ruleIds: [...gateRule, ...risk.ruleIds] };
}
