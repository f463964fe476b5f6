/**
 * Decisions the way the deciding service makes them, for tests that drive a workflow directly: signed with the
 * test stack's own signing key (under its AIRLOCK_HOME, which the tests legitimately hold, as the API server
 * does), then sent as the raw `decide` update. Tests of forgery send unsigned or tampered payloads instead.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { DecisionInput, DecisionOutcome } from '../../schemas/decision.js';
import type { DecisionSignature } from '../../schemas/signed-decision.js';
import { DecisionSigner } from '../../server/decision-signer.js';
import { decideUpdate, getRunQuery } from '../../workflows/messages.js';

export type UnsignedDecision = Omit<DecisionInput, 'signature'>;

/** The stack's key: a DecisionSigner, or the AIRLOCK_HOME holding its key file. */
export type SigningKey = DecisionSigner | string;

function signerOf(key: SigningKey): DecisionSigner {
  return typeof key === 'string' ? DecisionSigner.load({ home: key, env: {} }) : key;
}

/** The signature the deciding service would add to `decision` on this run, issued at `now`. */
export async function signatureFor(handle: WorkflowHandle, key: SigningKey, decision: UnsignedDecision, now = new Date()): Promise<DecisionSignature> {
  const state = await handle.query(getRunQuery);
  const action = state.actions.find((a) => a.actionId === decision.actionId);
  return signerOf(key).sign(
    {
      runId: state.runId,
      executionId: state.executionId ?? '',
      actionId: decision.actionId,
      contentSha256: action?.contentSha256 ?? '0'.repeat(64),
      decision: decision.decision,
      principal: decision.approver,
      channel: decision.channel,
      reason: decision.reason,
    },
    now,
  );
}

/** Signs `decision` with the stack's key and sends it as the `decide` update; resolves with the outcome. */
export async function decideSigned(handle: WorkflowHandle, key: SigningKey, decision: UnsignedDecision, now?: Date): Promise<DecisionOutcome> {
  const signature = await signatureFor(handle, key, decision, now);
  return handle.executeUpdate(decideUpdate, { args: [{ ...decision, signature }] });
}
