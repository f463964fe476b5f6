import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { hydrateRunOutputs, type ArtifactReader } from '../../client/hydrate-outputs.js';
import type { ActionState, RunState } from '../../schemas/run.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const full = 'x'.repeat(100) + 'END';

function stateWith(stdoutSha: string): RunState {
  const action = {
    actionId: 'a1',
    status: 'succeeded',
    result: {
      exitCode: 0,
      stdout: { text: 'xxxx', inlineComplete: false, bytes: full.length, truncated: false, sha256: stdoutSha },
      stderr: { text: 'warn', inlineComplete: true, bytes: 4, truncated: false, sha256: sha('warn') },
    },
  } as unknown as ActionState;
  return { runId: 'run-1', actions: [action, { actionId: 'a2', status: 'denied' } as ActionState] } as RunState;
}

function store(blobs: Record<string, string>): ArtifactReader & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async get(key) {
      asked.push(key);
      return blobs[key] === undefined ? undefined : Buffer.from(blobs[key]);
    },
  };
}

void test('previews are replaced by the full output from the store; complete outputs are not looked up', async () => {
  const reader = store({ [sha(full)]: full });
  const hydrated = await hydrateRunOutputs(stateWith(sha(full)), reader);
  const result = hydrated.actions[0]?.result;
  assert.equal(result?.stdout.text, full);
  assert.equal(result?.stdout.inlineComplete, true);
  assert.equal(result?.stderr.text, 'warn');
  assert.deepEqual(reader.asked, [sha(full)]);
});

void test('a missing or mismatching blob leaves the preview in place', async () => {
  const missing = await hydrateRunOutputs(stateWith(sha(full)), store({}));
  assert.equal(missing.actions[0]?.result?.stdout.text, 'xxxx');
  assert.equal(missing.actions[0]?.result?.stdout.inlineComplete, false);
  const wrong = await hydrateRunOutputs(stateWith(sha(full)), store({ [sha(full)]: 'something else' }));
  assert.equal(wrong.actions[0]?.result?.stdout.text, 'xxxx');
});

void test('a store that throws leaves the preview in place', async () => {
  const failing: ArtifactReader = {
    async get() {
      throw new Error('corrupt');
    },
  };
  const hydrated = await hydrateRunOutputs(stateWith(sha(full)), failing);
  assert.equal(hydrated.actions[0]?.result?.stdout.text, 'xxxx');
});
