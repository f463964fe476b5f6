import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CODE_BYTES } from '../../schemas/action.js';
import { buildRunInput, checkCodeSize, parseRunArgs, resolveRequester } from '../../client/cli/run-args.js';
import { BadInputError, UsageError } from '../../client/cli/usage-error.js';

void test('run: defaults', () => {
  assert.deepEqual(parseRunArgs(['job.py']), {
    source: 'job.py',
    language: 'python',
    agent: 'cli',
    requester: undefined,
    task: undefined,
    timeoutSec: undefined,
    memoryMb: undefined,
    approvalTimeoutMs: undefined,
    wait: false,
    json: false,
  });
});

void test('run: every flag', () => {
  const args = parseRunArgs([
    '-', '--lang', 'bash', '--agent', 'bot-7', '--as', 'alice', '--task', 'count files',
    '--timeout', '20', '--memory', '128', '--approval-timeout', '2m', '--wait', '--json',
  ]);
  assert.deepEqual(args, {
    source: '-',
    language: 'bash',
    agent: 'bot-7',
    requester: 'alice',
    task: 'count files',
    timeoutSec: 20,
    memoryMb: 128,
    approvalTimeoutMs: 120_000,
    wait: true,
    json: true,
  });
});

void test('run: bad command lines are usage errors', () => {
  const cases: [string[], RegExp][] = [
    [[], /missing <file\|->/],
    [['a.py', 'b.py'], /unexpected argument "b.py"/],
    [['a.py', '--allow-host', 'x'], /--allow-host "x": the port is missing/],
    [['a.py', '--timeout', 'soon'], /--timeout must be a whole number of seconds/],
    [['a.py', '--memory', '-5'], /--memory|argument missing/],
    [['a.py', '--approval-timeout', 'forever'], /--approval-timeout: "forever" is not a duration/],
    [['a.py', '--wait=yes'], /--wait/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseRunArgs(argv), (err: Error) => err instanceof UsageError && message.test(err.message), argv.join(' '));
  }
});

void test('code size is checked against the 256 KiB limit', () => {
  assert.doesNotThrow(() => checkCodeSize(MAX_CODE_BYTES, 'a.py'));
  assert.throws(
    () => checkCodeSize(MAX_CODE_BYTES + 1, 'big.py'),
    (err: Error) => err instanceof BadInputError && err.message.startsWith('"big.py" is 257 KiB, over the 256 KiB limit'),
  );
});

void test('the requester is --as, else a valid OS user name', () => {
  assert.equal(resolveRequester('alice', 'root'), 'alice');
  assert.equal(resolveRequester(undefined, 'bob'), 'bob');
  assert.throws(() => resolveRequester(undefined, 'name with spaces'), /pass --as USER/);
  assert.throws(() => resolveRequester(undefined, undefined), /pass --as USER/);
  assert.throws(() => resolveRequester('a b', 'bob'), /--as "a b" is not a valid identity/);
});

void test('buildRunInput makes a one-shot run with the given limits', () => {
  const args = parseRunArgs(['x.py', '--timeout', '5', '--approval-timeout', '90s', '--task', 't']);
  assert.deepEqual(buildRunInput(args, 'print(1)\n', 'alice'), {
    agent: 'cli',
    requester: 'alice',
    actions: [{ language: 'python', code: 'print(1)\n', task: 't', limits: { timeoutSec: 5 } }],
    closeWhenDone: true,
    approvalTimeoutMs: 90_000,
  });
});

void test('buildRunInput refuses limits outside the bounds, naming the field', () => {
  const args = parseRunArgs(['x.py', '--timeout', '99999']);
  assert.throws(() => buildRunInput(args, 'print(1)', 'alice'), (err: Error) => err instanceof UsageError && /timeoutSec must be at most 3600/.test(err.message));
  assert.throws(() => buildRunInput(parseRunArgs(['x.py']), '', 'alice'), /code is empty/);
});
