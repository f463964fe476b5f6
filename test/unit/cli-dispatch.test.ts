import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dispatch } from '../../cli/dispatch.js';
import { loadConfig } from '../../platform/config.js';

function harness() {
  const out: string[] = [];
  const err: string[] = [];
  let configLoaded = false;
  return {
    out,
    err,
    get configLoaded() {
      return configLoaded;
    },
    context: {
      config: () => {
        configLoaded = true;
        return loadConfig({});
      },
      io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), readStdin: async () => Buffer.from('') },
      signal: new AbortController().signal,
    },
  };
}

void test('unknown and missing commands are usage errors (exit 2), one line on stderr', async () => {
  for (const argv of [['launch'], [], ['toString']]) {
    const h = harness();
    assert.equal(await dispatch(argv, h.context), 2, argv.join(' '));
    assert.equal(h.out.join(''), '');
    assert.equal(h.err.length, 1);
    assert.match(h.err[0] ?? '', /^airlock: (unknown|missing) command.*see `airlock help`/);
  }
});

void test('help prints usage and exits 0 without reading the environment', async () => {
  for (const argv of [['help'], ['--help'], ['-h']]) {
    const h = harness();
    assert.equal(await dispatch(argv, h.context), 0);
    assert.match(h.out.join(''), /airlock run <file\|->/);
    assert.equal(h.configLoaded, false);
  }
});

void test('bad flags fail before Temporal is contacted', async () => {
  const h = harness();
  assert.equal(await dispatch(['status'], h.context), 2);
  assert.match(h.err[0] ?? '', /status: missing <runId>/);
  assert.equal(h.configLoaded, false);
  const h2 = harness();
  assert.equal(await dispatch(['list', '--all'], h2.context), 2);
  assert.match(h2.err[0] ?? '', /Unknown option '--all'/);
});
