import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionsReached, unknownActionIds } from '../../client/wait-condition.js';
import type { ActionState, RunState } from '../../schemas/run.js';

function run(status: RunState['status'], ...statuses: ActionState['status'][]): RunState {
  return {
    runId: 'run-1', agent: 'a', requester: 'r', status, closed: false, startedAt: '', ignoredDecisions: [],
    actions: statuses.map((s, i) => ({ actionId: `a${i + 1}`, status: s }) as ActionState),
  };
}

void test('final: every selected action is finished', () => {
  assert.equal(actionsReached(run('running', 'succeeded', 'running'), undefined, 'final'), false);
  assert.equal(actionsReached(run('running', 'succeeded', 'running'), ['a1'], 'final'), true);
  assert.equal(actionsReached(run('running', 'denied', 'timed_out', 'failed'), undefined, 'final'), true);
  assert.equal(actionsReached(run('awaiting_approval', 'awaiting_approval'), undefined, 'final'), false);
});

void test('decision-needed: nothing selected is still moving on its own', () => {
  assert.equal(actionsReached(run('awaiting_approval', 'awaiting_approval', 'succeeded'), undefined, 'decision-needed'), true);
  assert.equal(actionsReached(run('awaiting_approval', 'awaiting_approval', 'assessed'), undefined, 'decision-needed'), false);
  assert.equal(actionsReached(run('running', 'received'), undefined, 'decision-needed'), false);
});

void test('an ended run stops the wait even with unfinished actions', () => {
  assert.equal(actionsReached(run('failed', 'running'), undefined, 'final'), true);
  assert.equal(actionsReached(run('closed', 'running'), undefined, 'final'), false);
});

void test('unknown action ids are reported', () => {
  assert.deepEqual(unknownActionIds(run('running', 'received'), ['a1', 'a9']), ['a9']);
  assert.deepEqual(unknownActionIds(run('running'), undefined), []);
});
