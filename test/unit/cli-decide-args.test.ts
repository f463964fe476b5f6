import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDecideArgs, pickPendingAction } from '../../cli/decide-args.js';
import { CliError, UsageError } from '../../cli/usage-error.js';
import type { ActionState } from '../../schemas/run.js';

void test('approve/deny arguments', () => {
  assert.deepEqual(parseDecideArgs('approve', ['run-1']), { decision: 'approve', runId: 'run-1' });
  assert.deepEqual(parseDecideArgs('deny', ['run-1', '--action', 'a2', '--reason', 'no network']), {
    decision: 'deny', runId: 'run-1', actionId: 'a2', reason: 'no network',
  });
  const sha = 'ab'.repeat(32);
  assert.deepEqual(parseDecideArgs('approve', ['run-1', '--sha256', sha]), { decision: 'approve', runId: 'run-1', contentSha256: sha });
});

void test('approve/deny need a run id and never take the principal from a flag', () => {
  assert.throws(() => parseDecideArgs('approve', []), (err: Error) => err instanceof UsageError && /approve: missing <runId>/.test(err.message));
  assert.throws(
    () => parseDecideArgs('approve', ['run-1', '--as', 'bob']),
    (err: Error) => err instanceof UsageError && /--as is not accepted: you decide as the principal of your API token/.test(err.message),
  );
  assert.throws(() => parseDecideArgs('deny', ['run-1', '--sha256', 'nothex']), /--sha256 must be the 64 hex digits/);
  assert.throws(() => parseDecideArgs('deny', ['run-1', '--force']), /Unknown option '--force'/);
});

function actions(...statuses: ActionState['status'][]): ActionState[] {
  return statuses.map((status, index) => ({ actionId: `a${index + 1}`, status }) as ActionState);
}

void test('without --action the single pending action is chosen', () => {
  assert.equal(pickPendingAction({ runId: 'run-1', actions: actions('succeeded', 'awaiting_approval') }), 'a2');
  assert.throws(
    () => pickPendingAction({ runId: 'run-1', actions: actions('succeeded') }),
    (err: Error) => err instanceof CliError && err.message === 'run run-1 has no action awaiting approval',
  );
  assert.throws(
    () => pickPendingAction({ runId: 'run-1', actions: actions('awaiting_approval', 'running', 'awaiting_approval') }),
    (err: Error) => err instanceof CliError && err.message === 'run run-1 has 2 actions awaiting approval (a1, a3): choose one with --action',
  );
});
