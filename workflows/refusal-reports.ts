/**
 * Which reports of refused decisions a run keeps. The deciding service sends back every signed decision whose
 * `decide` update the validator refused (validators leave nothing in history), so the audit shows the refusal.
 * Anyone who reaches Temporal can send that signal too, so a report is kept only when it cannot be a forgery or a
 * flood: signed by a signer the pinned policy lists, for this run and one of its actions, not a copy of a decision
 * that counted, not seen before, and within a fixed number per action. Pure: the session calls it.
 */
import type { DecisionInput } from '../schemas/decision.js';
import type { PolicySnapshot } from '../schemas/policy.js';
import type { ActionState, RunState } from '../schemas/run.js';
import { signatureVerifies } from './decision-checks.js';

/** Refused decisions kept per action; later reports are only logged, so the run's state stays bounded. */
export const MAX_REFUSAL_REPORTS_PER_ACTION = 10;

export interface ReportContext {
  runId: string;
  executionId: string;
  action: ActionState | undefined;
  policy: PolicySnapshot | undefined;
  ignored: RunState['ignoredDecisions'];
  /** Signatures of reports already kept in this execution. */
  seen: ReadonlySet<string>;
}

/** The key a report is deduplicated by: one signature is one person's one click. */
export function reportKey(decision: DecisionInput): string | undefined {
  return decision.signature ? `${decision.signature.keyId}:${decision.signature.signature}` : undefined;
}

/** Why the report is not kept, or undefined when it is. */
export function reportProblem(decision: DecisionInput, context: ReportContext): string | undefined {
  const { action, policy, signature } = { ...context, signature: decision.signature };
  if (!policy) return 'no policy pinned yet';
  if (!action) return `no action ${decision.actionId}`;
  if (!signature) return 'unsigned';
  const signer = (policy.signers ?? []).find((s) => s.keyId === signature.keyId);
  if (!signer) return `key ${signature.keyId} is not a signer of the pinned policy`;
  if (signature.executionId !== context.executionId) return 'signed for another run';
  if (!signatureVerifies(decision, signature, signer, context.runId)) return 'the signature does not verify';
  const key = reportKey(decision)!;
  if (context.seen.has(key)) return 'already recorded';
  // A copy of a decision that counted is no refusal of it.
  if (action.decisions.some((d) => d.signerKeyId === signature.keyId && d.issuedAt === signature.issuedAt && d.approver === decision.approver)) {
    return 'the decision counted';
  }
  const kept = context.ignored.filter((i) => i.actionId === decision.actionId && i.refusal !== undefined).length;
  if (kept >= MAX_REFUSAL_REPORTS_PER_ACTION) return `already ${kept} refusals recorded for action ${decision.actionId}`;
  return undefined;
}
