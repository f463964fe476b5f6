/**
 * The checks that make a human decision count beyond "who may decide": it arrived before the approval deadline,
 * and it carries a valid signature of a signer the pinned policy lists, made for this run, this action and this
 * exact content, recently. Pure: the validator and the signal handler call it with workflow time.
 */
import type { DecisionRefusal } from '../policy/gate.js';
import type { DecisionInput } from '../schemas/decision.js';
import type { PolicySnapshot } from '../schemas/policy.js';
import type { ActionState } from '../schemas/run.js';
import { verifyDecisionSignature } from './decision-signature.js';

/** A signed decision is good for this long after the deciding service issued it (a click, not a standing order). */
export const SIGNATURE_MAX_AGE_MS = 5 * 60_000;
/** How far the deciding service's clock may run ahead of workflow time. */
export const SIGNATURE_CLOCK_SKEW_MS = 60_000;

export interface VerificationContext {
  runId: string;
  executionId: string;
  action: ActionState;
  policy: PolicySnapshot;
  /** Workflow time (Date.now() inside the workflow). */
  nowMs: number;
}

/** Why the decision may not count on timing or signature grounds, or undefined when it may. */
export function verificationRefusal(decision: DecisionInput, context: VerificationContext): DecisionRefusal | undefined {
  const { action, policy, nowMs } = context;
  // The timer may not have fired yet (a busy worker): the deadline itself is what counts.
  if (action.approvalDeadline !== undefined && nowMs >= Date.parse(action.approvalDeadline)) {
    return {
      type: 'past_deadline',
      message: `the approval deadline of action ${action.actionId} passed at ${action.approvalDeadline}; the decision came too late`,
    };
  }
  const signature = decision.signature;
  if (!signature) {
    return {
      type: 'unsigned',
      message:
        'a human decision counts only when the deciding service signed it: decide through the Airlock API ' +
        '(airlock approve/deny, the web UI, Slack or POST /v1/runs/{runId}/actions/{actionId}/decision)',
    };
  }
  const version = policy.version.slice(0, 12);
  const signer = (policy.signers ?? []).find((s) => s.keyId === signature.keyId);
  if (!signer) {
    return {
      type: 'unknown_signer',
      message: `the decision is signed with key ${signature.keyId}, which policy ${version} does not list among its signers`,
    };
  }
  if (signature.executionId !== context.executionId) {
    return { type: 'signature_mismatch', message: `the signature was made for another run than ${context.runId} (execution ${signature.executionId})` };
  }
  if (signature.contentSha256 !== action.contentSha256) {
    return {
      type: 'signature_mismatch',
      message: `the signature approves content ${signature.contentSha256.slice(0, 12)}, but action ${action.actionId} runs ${String(action.contentSha256).slice(0, 12)}`,
    };
  }
  const issuedMs = Date.parse(signature.issuedAt);
  if (!(issuedMs <= nowMs + SIGNATURE_CLOCK_SKEW_MS)) {
    return { type: 'signature_expired', message: `the signature was issued at ${signature.issuedAt}, in the future of the workflow's clock` };
  }
  if (nowMs - issuedMs > SIGNATURE_MAX_AGE_MS) {
    return {
      type: 'signature_expired',
      message: `the signature was issued at ${signature.issuedAt} and is good for ${SIGNATURE_MAX_AGE_MS / 60_000} minutes only; decide again`,
    };
  }
  if (!signatureVerifies(decision, signature, signer, context.runId)) {
    return { type: 'bad_signature', message: `the signature does not verify with key ${signer.keyId} (${signer.name}) for this decision` };
  }
  return undefined;
}

type Signer = NonNullable<PolicySnapshot['signers']>[number];

/** Whether `signature` is the signer's over exactly this decision on run `runId` (nothing about time or state). */
export function signatureVerifies(decision: DecisionInput, signature: NonNullable<DecisionInput['signature']>, signer: Signer, runId: string): boolean {
  const fields = {
    runId,
    executionId: signature.executionId,
    actionId: decision.actionId,
    contentSha256: signature.contentSha256,
    decision: decision.decision,
    principal: decision.approver,
    channel: decision.channel,
    reason: decision.reason,
    issuedAt: signature.issuedAt,
    keyId: signature.keyId,
  };
  return verifyDecisionSignature(fields, signature.signature, signer);
}
