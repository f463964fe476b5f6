import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveLimits } from '../../schemas/action.js';
import type { RunState } from '../../schemas/run.js';
import { compactRunResult } from '../../workflows/run-result.js';

function runWithCode(code: string): RunState {
  return {
    runId: 'run-x',
    agent: 'a',
    requester: 'r',
    status: 'completed',
    closed: true,
    startedAt: '2026-01-01T00:00:00.000Z',
    ignoredDecisions: [],
    actions: [
      {
        actionId: 'a1',
        language: 'python',
        code,
        codeSha256: 'f'.repeat(64),
        status: 'succeeded',
        submittedAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
        limits: resolveLimits(undefined),
        decisions: [],
        requiredApprovals: 0,
      },
    ],
  };
}

describe('run result size', () => {
  it('keeps a small result as it is', () => {
    const run = runWithCode('print(1)');
    assert.equal(compactRunResult(run, 10_000), run);
  });

  it('drops the code, never the hash, when the result would pass the cap', () => {
    const compact = compactRunResult(runWithCode('x'.repeat(20_000)), 10_000);
    assert.equal(compact.actions[0]?.code, '');
    assert.equal(compact.actions[0]?.codeOmitted, true);
    assert.equal(compact.actions[0]?.codeSha256, 'f'.repeat(64));
  });
});
