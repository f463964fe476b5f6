import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveLimits } from '../../schemas/action.js';
import type { CapturedOutput } from '../../schemas/execution.js';
import type { PolicySnapshot } from '../../schemas/policy.js';
import type { ActionState, RunState } from '../../schemas/run.js';
import { carryOverOf, historyIsLong } from '../../workflows/carry-over.js';

const POLICY = { version: 'v1', gates: {}, approvers: null } as unknown as PolicySnapshot;

function output(text: string): CapturedOutput {
  return { text, inlineComplete: true, bytes: text.length, truncated: false, sha256: 'f'.repeat(64) };
}

function action(n: number, stdout: string): ActionState {
  const limits = resolveLimits(undefined);
  return {
    actionId: `a${n}`,
    language: 'python',
    code: `print(${n})`,
    codeSha256: 'c'.repeat(64),
    status: 'succeeded',
    submittedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    limits,
    decisions: [],
    requiredApprovals: 0,
    result: {
      exitCode: 0,
      stdout: output(stdout),
      stderr: output(''),
      timedOut: false,
      oomKilled: false,
      durationMs: 1,
      sandbox: { containerId: 'c', containerName: 'n', image: 'i', imageId: 'id', runtime: 'runc', limits },
    },
  };
}

function run(actions: ActionState[]): RunState {
  return { runId: 'run-x', agent: 'a', requester: 'r', status: 'running', highestRisk: 'low', closed: false, startedAt: '2026-01-01T00:00:00.000Z', actions, ignoredDecisions: [] };
}

describe('historyIsLong', () => {
  it('is true past the threshold or when the server suggests it, false otherwise', () => {
    assert.equal(historyIsLong({ historyLength: 21, continueAsNewSuggested: false }, 20), true);
    assert.equal(historyIsLong({ historyLength: 20, continueAsNewSuggested: false }, 20), false);
    assert.equal(historyIsLong({ historyLength: 3, continueAsNewSuggested: true }, 20), true);
    assert.equal(historyIsLong({ historyLength: 4_000, continueAsNewSuggested: false }), false);
  });
});

describe('carryOverOf', () => {
  it('drops code, keeps hashes and metadata, and marks actions as carried over', () => {
    const carried = carryOverOf(run([action(1, 'one\n')]), POLICY);
    const a1 = carried.actions[0]!;
    assert.equal(a1.code, '');
    assert.equal(a1.codeOmitted, true);
    assert.equal(a1.carriedOver, true);
    assert.equal(a1.codeSha256, 'c'.repeat(64));
    assert.equal(a1.result?.stdout.text, 'one\n');
    assert.equal(carried.policy, POLICY);
    assert.equal(carried.highestRisk, 'low');
    assert.equal(carried.startedAt, '2026-01-01T00:00:00.000Z');
  });

  it('keeps output previews of the newest actions within the budget and drops older ones', () => {
    const carried = carryOverOf(run([action(1, 'x'.repeat(10)), action(2, 'y'.repeat(10)), action(3, 'z'.repeat(10))]), POLICY, 25);
    assert.deepEqual(carried.actions.map((a) => a.result?.stdout.text), ['', 'y'.repeat(10), 'z'.repeat(10)]);
    assert.equal(carried.actions[0]!.result?.stdout.inlineComplete, false);
    assert.equal(carried.actions[0]!.result?.stdout.sha256, 'f'.repeat(64));
  });
});
