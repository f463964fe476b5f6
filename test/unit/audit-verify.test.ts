/** `airlock audit --verify` from history events alone: signed decisions verify, forged and tampered ones do not. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEvent } from '../../client/audit-events.js';
import { verifyHistorySignatures } from '../../client/audit-verify.js';
import { DEFAULT_GATES } from '../../policy/gate.js';
import { resolveLimits } from '../../schemas/action.js';
import { DecisionSigner } from '../../server/decision-signer.js';
import { actionContentSha256 } from '../../workflows/action-digest.js';
import { decideSignal, decideUpdate } from '../../workflows/messages.js';

const signer = DecisionSigner.fromSecretKey(new Uint8Array(32).fill(9));
const ACTION = { language: 'python' as const, code: 'import subprocess' };
const CONTENT = actionContentSha256({ ...ACTION, limits: resolveLimits(undefined) });
const AT = '2026-12-01T10:00:00.000Z';

function history(decisions: AuditEvent[]): AuditEvent[] {
  return [
    { kind: 'started', eventId: 1, at: AT, input: { agent: 'a', requester: 'alice', actions: [ACTION] }, firstExecutionRunId: 'exec-1' },
    { kind: 'activity-scheduled', eventId: 5, at: AT, activityId: '1', activityType: 'loadPolicy', input: undefined },
    {
      kind: 'activity-completed',
      eventId: 7,
      at: AT,
      scheduledEventId: 5,
      result: { version: 'p'.repeat(64), gates: DEFAULT_GATES, approvers: null, signers: [{ keyId: signer.keyId, publicKey: signer.publicKey, name: 'api' }] },
    },
    ...decisions,
  ];
}

function signedArgs(overrides: Record<string, unknown> = {}) {
  const decision = { actionId: 'a1', decision: 'approve' as const, approver: 'bob', channel: 'api' as const };
  const signature = signer.sign(
    { runId: 'run-1', executionId: 'exec-1', actionId: 'a1', contentSha256: CONTENT, decision: 'approve', principal: 'bob', channel: 'api' },
    new Date(AT),
  );
  return { ...decision, signature, ...overrides };
}

describe('audit --verify', () => {
  it('verifies a signed decision from history alone', () => {
    const result = verifyHistorySignatures('run-1', history([{ kind: 'update-accepted', eventId: 10, at: AT, updateId: 'u', name: decideUpdate.name, args: [signedArgs()] }]));
    assert.deepEqual(result.checks.map((c) => [c.approver, c.verdict, c.keyId, c.counted]), [['bob', 'verified', signer.keyId, true]]);
    assert.equal(result.allCountedVerified, true);
  });

  it('flags a counted decision that does not verify, and reports forged signals as not counted', () => {
    const result = verifyHistorySignatures(
      'run-1',
      history([
        { kind: 'update-accepted', eventId: 10, at: AT, updateId: 'u', name: decideUpdate.name, args: [signedArgs({ approver: 'mallory' })] },
        { kind: 'signal', eventId: 11, at: AT, name: decideSignal.name, args: [{ actionId: 'a1', decision: 'approve', approver: 'eve', channel: 'cli' }] },
      ]),
    );
    assert.deepEqual(result.checks.map((c) => [c.approver, c.verdict, c.counted]), [['mallory', 'bad_signature', true], ['eve', 'unsigned', false]]);
    assert.equal(result.allCountedVerified, false);
    const otherRun = verifyHistorySignatures('run-2', history([{ kind: 'update-accepted', eventId: 10, at: AT, updateId: 'u', name: decideUpdate.name, args: [signedArgs()] }]));
    assert.equal(otherRun.checks[0]?.verdict, 'bad_signature');
  });
});
