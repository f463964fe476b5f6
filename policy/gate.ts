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

/**
 * Why a decision may not count, as a closed set of types: channels map them to answers (HTTP 403 for the
 * person's rights, 409 for timing and duplicates) without reading message text.
 */
export const DECISION_REFUSAL_TYPES = [
  'unknown_action',
  'not_awaiting_approval',
  'timed_out',
  'policy_loading',
  'self_approval',
  'not_authorised',
  'duplicate_decision',
  'past_deadline',
  'unsigned',
  'unknown_signer',
  'signature_mismatch',
  'signature_expired',
  'bad_signature',
] as const;
export type DecisionRefusalType = (typeof DECISION_REFUSAL_TYPES)[number];

export interface DecisionRefusal {
  type: DecisionRefusalType;
  message: string;
}

/** Refusal types that are about who is deciding (as opposed to when). */
export const AUTHORISATION_REFUSALS: readonly DecisionRefusalType[] = [
  'self_approval',
  'not_authorised',
  'unsigned',
  'unknown_signer',
  'signature_mismatch',
  'signature_expired',
  'bad_signature',
];

/**
 * Why a principal may not decide on an action of `level`, or undefined when they may. Pure: the workflow's
 * validator calls it with the policy the run pinned.
 */
export function approverRefusalOf(
  policy: PolicySnapshot,
  principal: string,
  decision: 'approve' | 'deny',
  requester: string,
  level?: RiskLevel,
): DecisionRefusal | undefined {
  const version = policy.version.slice(0, 12);
  if (decision === 'approve' && principal === requester) {
    return {
      type: 'self_approval',
      message: `${principal} requested this action and may not approve it: another approver must decide`,
    };
  }
  if (policy.approvers !== null && !policy.approvers.includes(principal)) {
    return { type: 'not_authorised', message: `${principal} is not an authorised approver under policy ${version}` };
  }
  if (policy.principals) {
    const known = policy.principals.find((p) => p.id === principal);
    if (!known) {
      return { type: 'not_authorised', message: `${principal} is not a principal of policy ${version} and may not decide` };
    }
    const roles = level ? (gateFor(policy, level).roles ?? []) : [];
    if (roles.length > 0 && !known.roles.some((role) => roles.includes(role))) {
      return {
        type: 'not_authorised',
        message: `${principal} may not decide on ${level} risk actions: that needs the role ${roles.join(' or ')} under policy ${version}`,
      };
    }
  }
  return undefined;
}
