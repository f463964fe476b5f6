import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { DecisionRefusedError, RunNotFoundError } from '../../client/errors.js';
import type { RunState } from '../../schemas/run.js';
import { ApiError } from '../../server/api-error.js';
import { decideThroughWorkflow, type DecideClient } from '../../server/decide-service.js';

const request = { runId: 'run-1', actionId: 'a1', decision: 'approve' as const, approver: 'bob', channel: 'api' as const };

function refusing(type: string | undefined, state?: Partial<RunState>): DecideClient {
  return {
    decide: async () => {
      const cause = type ? ApplicationFailure.create({ message: `refused: ${type}`, type, nonRetryable: true }) : undefined;
      throw new DecisionRefusedError('run-1', 'a1', type ? `refused: ${type}` : 'run run-1 has ended: start a new run', { cause: { cause } });
    },
    getRun: async () => {
      if (!state) throw new RunNotFoundError('run-1');
      return state as RunState;
    },
  };
}

async function statusOf(client: DecideClient): Promise<[number, string | undefined]> {
  try {
    await decideThroughWorkflow(client, request);
  } catch (err) {
    assert.ok(err instanceof ApiError);
    return [err.status, err.reason];
  }
  throw new Error('expected a refusal');
}

describe('decide service', () => {
  it('maps the workflow refusal type to 403, 404 or 409', async () => {
    assert.deepEqual(await statusOf(refusing('self_approval')), [403, 'self_approval']);
    assert.deepEqual(await statusOf(refusing('not_authorised')), [403, 'not_authorised']);
    assert.deepEqual(await statusOf(refusing('unknown_action')), [404, 'unknown_action']);
    assert.deepEqual(await statusOf(refusing('duplicate_decision')), [409, 'duplicate_decision']);
    assert.deepEqual(await statusOf(refusing('timed_out')), [409, 'timed_out']);
  });

  it('explains a decision on an ended run from its final state', async () => {
    const timedOut = { actions: [{ actionId: 'a1', status: 'timed_out' }] } as unknown as RunState;
    const [status, reason] = await statusOf(refusing(undefined, timedOut));
    assert.deepEqual([status, reason], [409, 'timed_out']);
    const finished = { actions: [{ actionId: 'a1', status: 'succeeded' }] } as unknown as RunState;
    assert.deepEqual(await statusOf(refusing(undefined, finished)), [409, 'not_awaiting_approval']);
  });

  it('answers 404 for an unknown run', async () => {
    const client: DecideClient = { decide: async () => Promise.reject(new RunNotFoundError('run-1')), getRun: async () => Promise.reject(new Error('unused')) };
    assert.deepEqual(await statusOf(client), [404, undefined]);
  });
});
