import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActionStatus } from '../../schemas/action.js';
import { EXIT, exitCodeForRun } from '../../cli/exit-codes.js';
import { reportError } from '../../cli/error-report.js';
import { CliError, UsageError, BadInputError } from '../../cli/usage-error.js';
import { DecisionRefusedError, InputError, RunNotFoundError, RunUnresponsiveError, TemporalUnavailableError } from '../../client/errors.js';
import type { ActionState } from '../../schemas/run.js';

function run(...statuses: ActionStatus[]) {
  return { actions: statuses.map((status) => ({ status }) as ActionState) };
}

void test('exit code of a run outcome', () => {
  assert.equal(exitCodeForRun(run()), EXIT.ok);
  assert.equal(exitCodeForRun(run('succeeded', 'succeeded')), 0);
  assert.equal(exitCodeForRun(run('succeeded', 'failed')), 1);
  assert.equal(exitCodeForRun(run('denied')), 3);
  assert.equal(exitCodeForRun(run('timed_out')), 3);
  assert.equal(exitCodeForRun(run('failed', 'denied')), 3, 'a denial outranks a failure');
  assert.equal(exitCodeForRun(run('awaiting_approval')), 0, 'nothing failed yet');
});

void test('errors map to one line and an exit code by class', () => {
  assert.deepEqual(reportError(new UsageError('run: missing <file|->')), {
    message: 'run: missing <file|-> (see `airlock help`)', exitCode: 2, expected: true,
  });
  assert.deepEqual(reportError(new BadInputError('file not found: x.py')), { message: 'file not found: x.py', exitCode: 2, expected: true });
  assert.equal(reportError(new InputError('bad')).exitCode, 2);
  assert.deepEqual(reportError(new RunNotFoundError('run-x')), { message: 'no run with id run-x', exitCode: 4, expected: true });
  assert.equal(reportError(new DecisionRefusedError('run-x', 'a1', 'you requested action a1: you may not approve it yourself')).message,
    'you requested action a1: you may not approve it yourself');
  assert.match(reportError(new TemporalUnavailableError('127.0.0.1:1')).message, /^Temporal is not reachable at 127\.0\.0\.1:1: start the stack with `npm run up`, or set TEMPORAL_ADDRESS$/);
  assert.equal(reportError(new CliError('nothing pending', 4)).exitCode, 4);
  assert.deepEqual(reportError(new RunUnresponsiveError('run-x', 'airlock', 10_000)), {
    message: 'run run-x did not answer within 10 s: is an Airlock worker running on task queue "airlock"? (start one with `npm run up`, or check AIRLOCK_TASK_QUEUE)',
    exitCode: 4,
    expected: true,
  });
  const unexpected = reportError(new TypeError('boom'));
  assert.deepEqual(unexpected, { message: 'unexpected error: boom', exitCode: 4, expected: false });
});
