import type { LevelGate, PolicySnapshot } from '../schemas/policy.js';
import type { RiskLevel } from '../schemas/risk.js';

/** DESIGN.md's defaults: low runs, medium needs one human, high two distinct humans, critical never runs. */
export const DEFAULT_GATES: Readonly<Record<RiskLevel, LevelGate>> = {
  low: { mode: 'auto', quorum: 1 },
  medium: { mode: 'human', quorum: 1 },
  high: { mode: 'human', quorum: 2 },
  critical: { mode: 'deny', quorum: 1 },
};

/** Rule ids recorded with the policy's own decisions, next to the risk rules that matched. */
export const GATE_RULE_IDS = {
  autoApprove: (level: RiskLevel) => `gate.${level}.auto-approve`,
  deny: (level: RiskLevel) => `gate.${level}.deny`,
  approvalTimeout: 'gate.approval-timeout',
} as const;

export function gateFor(policy: PolicySnapshot, level: RiskLevel): LevelGate {
  return policy.gates[level] ?? DEFAULT_GATES[level];
}

/** Why a principal may not decide, or undefined when they may. Pure: the workflow's validator calls it. */
export function approverRefusal(
  policy: PolicySnapshot,
  principal: string,
  decision: 'approve' | 'deny',
  requester: string,
): string | undefined {
  if (decision === 'approve' && principal === requester) {
    return `${principal} requested this action and may not approve it: another approver must decide`;
  }
  if (policy.approvers !== null && !policy.approvers.includes(principal)) {
    return `${principal} is not an authorised approver under policy ${policy.version.slice(0, 12)}`;
  }
  return undefined;
}
