/**
 * `airlock audit --verify`: re-checks every human decision's signature from the workflow history alone, the way
 * the workflow did: the signer keys of the policy the run pinned (the `loadPolicy` result, or the policy carried
 * into a continued execution), the run's first execution id, and each action's content hash recomputed from the
 * input recorded in history.
 */
import { resolveLimits, type ActionInput } from '../schemas/action.js';
import { NetworkRequestSchema } from '../schemas/network.js';
import { PolicySnapshotSchema, type PolicySnapshot } from '../schemas/policy.js';
import { DecisionSignatureSchema } from '../schemas/signed-decision.js';
import { actionContentSha256 } from '../workflows/action-digest.js';
import { SIGNATURE_CLOCK_SKEW_MS, SIGNATURE_MAX_AGE_MS } from '../workflows/decision-checks.js';
import { verifyDecisionSignature } from '../workflows/decision-signature.js';
import { decideSignal, decideUpdate, submitActionUpdate } from '../workflows/messages.js';
import type { AuditEvent } from './audit-events.js';

export type SignatureVerdict = 'verified' | 'unsigned' | 'unknown_signer' | 'wrong_run' | 'wrong_content' | 'bad_signature' | 'expired';

/** One human decision message found in history, and what re-checking its signature showed. */
export interface SignatureCheck {
  actionId: string;
  decision: string;
  approver: string;
  channel: string;
  via: 'update' | 'signal';
  eventId: number;
  at: string;
  /** False when the workflow refused or ignored the message (then its verdict matters less). */
  counted: boolean;
  keyId?: string;
  signerName?: string;
  verdict: SignatureVerdict;
}

export interface SignatureVerification {
  runId: string;
  policyVersion?: string;
  checks: SignatureCheck[];
  /** True when every counted human decision carries a valid signature. */
  allCountedVerified: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function contentOf(input: unknown): string | undefined {
  if (!isObject(input)) return undefined;
  const action = input as unknown as ActionInput;
  if (typeof action.code !== 'string' || typeof action.language !== 'string') return undefined;
  const network = action.network ? NetworkRequestSchema.safeParse(action.network) : undefined;
  return actionContentSha256({
    language: action.language,
    code: action.code,
    files: action.files,
    limits: resolveLimits(action.limits),
    ...(network?.success ? { network: { allow: network.data.allow } } : {}),
    isolation: action.isolation,
    ...(Array.isArray(action.credentials) ? { credentialNames: [...new Set(action.credentials)] } : {}),
  });
}

/** Verifies every decision message of one execution's history. */
export function verifyHistorySignatures(runId: string, events: readonly AuditEvent[]): SignatureVerification {
  let executionId: string | undefined;
  let policy: PolicySnapshot | undefined;
  const content = new Map<string, string | undefined>();
  const accepted = new Map<number, Extract<AuditEvent, { kind: 'update-accepted' }>>();
  const scheduledTypes = new Map<number, string>();
  const messages: Array<{ arg: unknown; via: 'update' | 'signal'; eventId: number; at: string; counted: boolean }> = [];
  const byUpdate = new Map<number, (typeof messages)[number]>();

  for (const event of events) {
    if (event.kind === 'started') {
      executionId = event.firstExecutionRunId;
      if (isObject(event.input)) {
        const actions = Array.isArray(event.input.actions) ? event.input.actions : [];
        actions.forEach((input: unknown, index) => content.set(`a${index + 1}`, contentOf(input)));
        const carried = isObject(event.input.carryOver) && event.continued ? PolicySnapshotSchema.safeParse(event.input.carryOver.policy) : undefined;
        if (carried?.success) policy = carried.data;
      }
    } else if (event.kind === 'activity-scheduled') {
      scheduledTypes.set(event.eventId, event.activityType);
    } else if (event.kind === 'activity-completed' && scheduledTypes.get(event.scheduledEventId) === 'loadPolicy' && !policy) {
      const loaded = PolicySnapshotSchema.safeParse(event.result);
      if (loaded.success) policy = loaded.data;
    } else if (event.kind === 'update-accepted') {
      accepted.set(event.eventId, event);
      if (event.name === decideUpdate.name) {
        const message = { arg: event.args[0], via: 'update' as const, eventId: event.eventId, at: event.at, counted: true };
        messages.push(message);
        byUpdate.set(event.eventId, message);
      }
    } else if (event.kind === 'update-completed') {
      const update = accepted.get(event.acceptedEventId);
      if (update?.name === submitActionUpdate.name && isObject(event.result) && typeof event.result.actionId === 'string') {
        content.set(event.result.actionId, contentOf(update.args[0]));
      }
      const message = byUpdate.get(event.acceptedEventId);
      if (message && event.failure) message.counted = false;
    } else if (event.kind === 'signal' && event.name === decideSignal.name) {
      // Whether a signal counted is the workflow's call; one that verifies here would have.
      messages.push({ arg: event.args[0], via: 'signal', eventId: event.eventId, at: event.at, counted: true });
    }
  }

  const checks = messages.map((message): SignatureCheck => {
    const check = checkMessage(message);
    // The workflow counts a signal only when it verifies; any other was recorded as ignored.
    return message.via === 'signal' ? { ...check, counted: check.verdict === 'verified' } : check;
  });
  return {
    runId,
    ...(policy ? { policyVersion: policy.version } : {}),
    checks,
    allCountedVerified: checks.every((check) => !check.counted || check.verdict === 'verified'),
  };

  function checkMessage(message: (typeof messages)[number]): SignatureCheck {
    const arg = isObject(message.arg) ? message.arg : {};
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    const base = {
      actionId: text(arg.actionId),
      decision: text(arg.decision),
      approver: text(arg.approver),
      channel: text(arg.channel),
      via: message.via,
      eventId: message.eventId,
      at: message.at,
      counted: message.counted,
    };
    const parsed = DecisionSignatureSchema.safeParse(arg.signature);
    if (!parsed.success) return { ...base, verdict: 'unsigned' };
    const signature = parsed.data;
    const signer = policy?.signers?.find((s) => s.keyId === signature.keyId);
    const withKey = { ...base, keyId: signature.keyId, ...(signer ? { signerName: signer.name } : {}) };
    if (!signer) return { ...withKey, verdict: 'unknown_signer' };
    if (signature.executionId !== executionId) return { ...withKey, verdict: 'wrong_run' };
    if (signature.contentSha256 !== content.get(base.actionId)) return { ...withKey, verdict: 'wrong_content' };
    const fields = {
      runId,
      executionId: signature.executionId,
      actionId: base.actionId,
      contentSha256: signature.contentSha256,
      decision: base.decision as 'approve' | 'deny',
      principal: base.approver,
      channel: base.channel,
      reason: typeof arg.reason === 'string' ? arg.reason : undefined,
      issuedAt: signature.issuedAt,
      keyId: signature.keyId,
    };
    if (!verifyDecisionSignature(fields, signature.signature, signer)) return { ...withKey, verdict: 'bad_signature' };
    const ageMs = Date.parse(message.at) - Date.parse(signature.issuedAt);
    if (ageMs > SIGNATURE_MAX_AGE_MS || ageMs < -SIGNATURE_CLOCK_SKEW_MS) return { ...withKey, verdict: 'expired' };
    return { ...withKey, verdict: 'verified' };
  }
}
