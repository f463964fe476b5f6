import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDecideArgs, pickPendingAction } from '../../cli/decide-args.js';
import { CliError, UsageError } from '../../cli/usage-error.js';
import type { ActionState } from '../../schemas/run.js';

void test('approve/deny arguments', () => {
  assert.deepEqual(parseDecideArgs('approve', ['run-1', '--as', 'bob']), {
    decision: 'approve', runId: 'run-1', actionId: undefined, approver: 'bob', reason: undefined,
  });
  assert.deepEqual(parseDecideArgs('deny', ['run-1', '--action', 'a2', '--as', 'bob', '--reason', 'no network']), {
    decision: 'deny', runId: 'run-1', actionId: 'a2', approver: 'bob', reason: 'no network',
  });
});

void test('approve/deny need a run id and --as', () => {
  assert.throws(() => parseDecideArgs('approve', ['--as', 'bob']), (err: Error) => err instanceof UsageError && /approve: missing <runId>/.test(err.message));
  assert.throws(() => parseDecideArgs('deny', ['run-1']), (err: Error) => err instanceof UsageError && /deny: --as USER is required/.test(err.message));
  assert.throws(() => parseDecideArgs('deny', ['run-1', '--as', 'b', '--force']), /Unknown option '--force'/);
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
