import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { DecisionRefusedError, RunNotFoundError } from '../../client/errors.js';
import type { RunState } from '../../schemas/run.js';
import { ApiError } from '../../server/api-error.js';
import { DecisionSigner } from '../../server/decision-signer.js';
import { decideThroughWorkflow, type DecideClient } from '../../server/decide-service.js';
import type { SignedDecisionInput } from '../../client/sdk.js';

const request = { runId: 'run-1', actionId: 'a1', decision: 'approve' as const, approver: 'bob', channel: 'api' as const };
const signer = DecisionSigner.fromSecretKey(new Uint8Array(32).fill(7));
const WAITING = {
  runId: 'run-1',
  executionId: 'exec-1',
  actions: [{ actionId: 'a1', status: 'awaiting_approval', contentSha256: 'c'.repeat(64) }],
} as unknown as RunState;

function refusing(type: string | undefined, state?: Partial<RunState>): DecideClient {
  return {
    deliverSignedDecision: async () => {
      const cause = type ? ApplicationFailure.create({ message: `refused: ${type}`, type, nonRetryable: true }) : undefined;
      throw new DecisionRefusedError('run-1', 'a1', type ? `refused: ${type}` : 'run run-1 has ended: start a new run', { cause: { cause } });
    },
    // The service reads the action it signs for; afterwards (an ended run) the final state explains a refusal.
    getRun: async () => {
      if (!state) throw new RunNotFoundError('run-1');
      return { ...WAITING, ...state, actions: state.actions ?? WAITING.actions } as RunState;
    },
  };
}

async function statusOf(client: DecideClient): Promise<[number, string | undefined]> {
  try {
    await decideThroughWorkflow({ client, signer }, request);
  } catch (err) {
    assert.ok(err instanceof ApiError);
    return [err.status, err.reason];
  }
  throw new Error('expected a refusal');
}

describe('decide service', () => {
  it('maps the workflow refusal type to 403, 404 or 409', async () => {
    assert.deepEqual(await statusOf(refusing('self_approval', {})), [403, 'self_approval']);
    assert.deepEqual(await statusOf(refusing('not_authorised', {})), [403, 'not_authorised']);
    assert.deepEqual(await statusOf(refusing('unknown_action', {})), [404, 'unknown_action']);
    assert.deepEqual(await statusOf(refusing('duplicate_decision', {})), [409, 'duplicate_decision']);
    assert.deepEqual(await statusOf(refusing('timed_out', {})), [409, 'timed_out']);
    assert.deepEqual(await statusOf(refusing('past_deadline', {})), [409, 'past_deadline']);
    assert.deepEqual(await statusOf(refusing('unknown_signer', {})), [403, 'unknown_signer']);
  });

  it('explains a decision on an ended run from its final state', async () => {
    const timedOut = { actions: [{ actionId: 'a1', status: 'timed_out', contentSha256: 'c'.repeat(64) }] } as unknown as RunState;
    const [status, reason] = await statusOf(refusing(undefined, timedOut));
    assert.deepEqual([status, reason], [409, 'timed_out']);
    const finished = { actions: [{ actionId: 'a1', status: 'succeeded', contentSha256: 'c'.repeat(64) }] } as unknown as RunState;
    assert.deepEqual(await statusOf(refusing(undefined, finished)), [409, 'not_awaiting_approval']);
  });

  it('answers 404 for an unknown run or action', async () => {
    const client: DecideClient = { deliverSignedDecision: async () => Promise.reject(new Error('unused')), getRun: async () => Promise.reject(new RunNotFoundError('run-1')) };
    assert.deepEqual(await statusOf(client), [404, undefined]);
    assert.deepEqual(await statusOf(refusing(undefined, { actions: [] })), [404, 'unknown_action']);
  });

  it('signs exactly what it sends: the principal, channel, run execution and the content it read', async () => {
    const sent: SignedDecisionInput[] = [];
    const client: DecideClient = {
      getRun: async () => WAITING,
      deliverSignedDecision: async (_runId, decision) => {
        sent.push(decision);
        return { actionId: 'a1', status: 'approved', approvals: 1, requiredApprovals: 1 };
      },
    };
    await decideThroughWorkflow({ client, signer }, { ...request, reason: 'ok' });
    const [decision] = sent;
    assert.equal(decision?.approver, 'bob');
    assert.equal(decision?.signature.keyId, signer.keyId);
    assert.equal(decision?.signature.executionId, 'exec-1');
    assert.equal(decision?.signature.contentSha256, 'c'.repeat(64));
    assert.match(decision?.signature.signature ?? '', /^[0-9a-f]{128}$/);
  });

  it('refuses when the action no longer has the content the person reviewed', async () => {
    const client = refusing('self_approval', {});
    await assert.rejects(
      decideThroughWorkflow({ client, signer }, { ...request, expectedContentSha256: 'd'.repeat(64) }),
      (err: unknown) => err instanceof ApiError && err.status === 409 && err.reason === 'content_changed',
    );
  });
});
