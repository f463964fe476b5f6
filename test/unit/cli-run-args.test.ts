import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CODE_BYTES } from '../../schemas/action.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readInputFiles } from '../../cli/read-input-files.js';
import { buildRunInput, checkCodeSize, parseRunArgs, resolveRequester } from '../../cli/run-args.js';
import { BadInputError, UsageError } from '../../cli/usage-error.js';

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

void test('run: --isolation, repeated --file and --output', () => {
  const args = parseRunArgs([
    'job.py', '--isolation', 'strong', '--file', 'data/in.csv=in.csv', '--file', '../x=cfg/settings.json',
    '--output', 'out/*.csv', '--output', 'logs/**/*.txt',
  ]);
  assert.equal(args.isolation, 'strong');
  assert.deepEqual(args.files, [
    { local: 'data/in.csv', remote: 'in.csv' },
    { local: '../x', remote: 'cfg/settings.json' },
  ]);
  assert.deepEqual(args.outputs, ['out/*.csv', 'logs/**/*.txt']);
  // Split at the first "=": REMOTE may itself contain one.
  assert.deepEqual(parseRunArgs(['a.py', '--file', 'a=b=c']).files, [{ local: 'a', remote: 'b=c' }]);
});

void test('run: bad --isolation, --file and --output values are usage errors naming the flag', () => {
  const cases: [string[], RegExp][] = [
    [['a.py', '--isolation', 'max'], /^--isolation: unknown isolation "max": use one of standard, strong$/],
    [['a.py', '--file', 'in.csv'], /^--file "in.csv" must be LOCAL=REMOTE/],
    [['a.py', '--file', '=in.csv'], /^--file "=in.csv" must be LOCAL=REMOTE/],
    [['a.py', '--file', 'in.csv='], /^--file "in.csv=" must be LOCAL=REMOTE/],
    [['a.py', '--file', 'x=../etc/passwd'], /^--file: input file path "\.\.\/etc\/passwd" has an empty, "\." or "\.\." part/],
    [['a.py', '--file', 'x=/etc/passwd'], /^--file: input file path "\/etc\/passwd" must be relative to \/workspace/],
    [['a.py', '--file', 'x=in/*.csv'], /contains a wildcard/],
    [['a.py', '--file', 'x=a', '--file', 'y=a'], /^--file: "a" is named as REMOTE more than once$/],
    [['a.py', '--file', 'x=a', '--file', 'y=a/b'], /^--file: input file "a\/b" lies inside another input file$/],
    [['a.py', '--output', '/etc/*'], /^--output: output path "\/etc\/\*" must be relative to \/workspace/],
    [['a.py', '--output', 'out/../../x'], /^--output: output path .* no escaping \/workspace/],
    [['a.py', '--output', 'a**/b'], /uses \*\* other than as a whole path part/],
    [['a.py', ...Array.from({ length: 17 }, (_, i) => ['--output', `o${i}`]).flat()], /^--output: at most 16 output paths$/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseRunArgs(argv), (err: Error) => err instanceof UsageError && message.test(err.message), argv.join(' '));
  }
});

void test('buildRunInput carries isolation, file contents and output globs into the action', () => {
  const args = parseRunArgs(['x.py', '--isolation', 'strong', '--file', 'local.csv=in.csv', '--output', 'out/*.csv']);
  assert.deepEqual(buildRunInput(args, 'print(1)', 'alice', { 'in.csv': 'a,b\n' }).actions, [
    { language: 'python', code: 'print(1)', isolation: 'strong', files: { 'in.csv': 'a,b\n' }, outputs: ['out/*.csv'] },
  ]);
  const networked = parseRunArgs(['x.py', '--isolation', 'strong', '--allow-host', 'example.test:443']);
  assert.throws(() => buildRunInput(networked, 'print(1)', 'alice'), (err: Error) => err instanceof UsageError && /not available with strong isolation/.test(err.message));
});

void test('readInputFiles reads each LOCAL as text under its REMOTE path, with clear errors', async () => {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'airlock-run-files-'));
  try {
    const csv = path.join(folder, 'in.csv');
    await writeFile(csv, '\uFEFFa,b\n1,2\n');
    assert.deepEqual(await readInputFiles([{ local: csv, remote: 'data/in.csv' }]), { 'data/in.csv': '\uFEFFa,b\n1,2\n' });

    const missing = path.join(folder, 'nope.csv');
    await assert.rejects(readInputFiles([{ local: missing, remote: 'x' }]), (err: Error) => err instanceof BadInputError && err.message === `--file: local file not found: ${missing}`);
    await assert.rejects(readInputFiles([{ local: folder, remote: 'x' }]), /is a directory/);
    const binary = path.join(folder, 'b.bin');
    await writeFile(binary, Buffer.from([0xff, 0xfe, 0x00]));
    await assert.rejects(readInputFiles([{ local: binary, remote: 'x' }]), (err: Error) => err instanceof BadInputError && /is not UTF-8 text/.test(err.message));
    const big = path.join(folder, 'big.txt');
    await writeFile(big, 'x'.repeat(1024 * 1024 + 1));
    await assert.rejects(readInputFiles([{ local: big, remote: 'x' }]), /is 1048577 bytes, over the 1048576-byte limit/);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

void test('run: --idempotency-key is kept, and a key with spaces is a usage error that says why', () => {
  assert.equal(parseRunArgs(['job.py', '--idempotency-key', 'job-2026-12-01']).idempotencyKey, 'job-2026-12-01');
  assert.throws(() => parseRunArgs(['job.py', '--idempotency-key', 'two words']), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.match(err.message, /--idempotency-key: an idempotency key is printable ASCII without spaces/);
    return true;
  });
});
