/**
 * Client retries must not duplicate work: a start or a submit repeated with the same idempotency key (the SDK's
 * option, the HTTP API's Idempotency-Key header) returns the first result and creates nothing new.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AirlockClient } from '../../client/sdk.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { uniqueId } from '../support/temporal.js';

const policy = () => `principals:
  - { id: alice, roles: [developer] }
`;

void describe('idempotency keys', () => {
  let stack: ApiStack;
  let alice: string;
  before(async () => {
    stack = await startApiStack({ policy });
    alice = stack.tokenFor('alice');
  });
  after(async () => {
    await stack?.stop();
  });

  const startBody = { agent: 'retry-agent', actions: [{ language: 'python', code: 'print("once")' }] };

  void it('returns the same run for a repeated start over HTTP, and one action in it', async () => {
    const key = uniqueId('start');
    const first = await stack.call('POST', '/v1/runs', { token: alice, body: startBody, headers: { 'Idempotency-Key': key } });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const second = await stack.call('POST', '/v1/runs', { token: alice, body: startBody, headers: { 'Idempotency-Key': key } });
    assert.equal(second.status, 201, JSON.stringify(second.body));
    assert.equal(second.body.runId, first.body.runId, 'the retry names the first run');
    const other = await stack.call('POST', '/v1/runs', { token: alice, body: startBody, headers: { 'Idempotency-Key': `${key}-b` } });
    assert.notEqual(other.body.runId, first.body.runId, 'another key is another run');

    const run = await stack.call('GET', `/v1/runs/${first.body.runId}`, { token: alice });
    assert.equal(run.body.actions.length, 1, 'the retried start added no second action');
  });

  void it('returns the first action id for a repeated submit over HTTP, and adds no second action', async () => {
    const started = await stack.call('POST', '/v1/runs', { token: alice, body: { agent: 'retry-agent' } });
    const runId = started.body.runId as string;
    const key = uniqueId('submit');
    const action = { language: 'python', code: 'print("submitted once")' };
    const first = await stack.call('POST', `/v1/runs/${runId}/actions`, { token: alice, body: action, headers: { 'Idempotency-Key': key } });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const second = await stack.call('POST', `/v1/runs/${runId}/actions`, { token: alice, body: action, headers: { 'Idempotency-Key': key } });
    assert.equal(second.status, 201, JSON.stringify(second.body));
    assert.equal(second.body.actionId, first.body.actionId);
    const unkeyed = await stack.call('POST', `/v1/runs/${runId}/actions`, { token: alice, body: action });
    assert.notEqual(unkeyed.body.actionId, first.body.actionId, 'a submit without a key is a new action');

    const run = await stack.call('GET', `/v1/runs/${runId}`, { token: alice });
    assert.deepEqual(run.body.actions.map((a: { actionId: string }) => a.actionId), [first.body.actionId, unkeyed.body.actionId]);
  });

  void it('keeps keyed starts of two principals apart', async () => {
    const bob = stack.tokenFor('bob');
    const key = uniqueId('shared');
    const forAlice = await stack.call('POST', '/v1/runs', { token: alice, body: startBody, headers: { 'Idempotency-Key': key } });
    const forBob = await stack.call('POST', '/v1/runs', { token: bob, body: startBody, headers: { 'Idempotency-Key': key } });
    assert.equal(forBob.status, 201, JSON.stringify(forBob.body));
    assert.notEqual(forBob.body.runId, forAlice.body.runId, "one principal's key never names another principal's run");
    assert.equal(forBob.body.requester, 'bob');
  });

  void it('refuses an invalid key with a message that says why', async () => {
    const refused = await stack.call('POST', '/v1/runs', { token: alice, body: startBody, headers: { 'Idempotency-Key': 'x'.repeat(201) } });
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.message, /Idempotency-Key header.*at most 200 characters/);
  });

  void it('returns the same run for a repeated SDK start once the first run has finished', async () => {
    const client = await AirlockClient.connect(stack.workers.config);
    try {
      await startTwiceAfterFinish(client);
    } finally {
      await client.disconnect();
    }
  });
});

/** A keyed one-shot run through the SDK, run to the end, then the same start again. */
async function startTwiceAfterFinish(client: AirlockClient): Promise<void> {
  const key = uniqueId('sdk');
  const input = { agent: 'sdk-retry', requester: 'alice', closeWhenDone: true, actions: [{ language: 'python' as const, code: 'print(6 * 7)' }] };
  const { runId } = await client.startRun(input, { idempotencyKey: key });
  const done = await client.waitForRun(runId);
  assert.equal(done.actions[0]?.result?.stdout.text, '42\n');
  const again = await client.startRun(input, { idempotencyKey: key });
  assert.equal(again.runId, runId, 'a retry after the run finished still names it');
  const state = await client.getRun(runId);
  assert.equal(state.actions.length, 1);
}
