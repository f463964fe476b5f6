/**
 * Run events pushed to the agent service's callback URL, against real Temporal and Docker: every event once by
 * delivery id with a valid signature, retries to a failing receiver, a dead receiver that never holds the run up,
 * every event once across continue-as-new, and a clear 400 for a callback URL the policy does not allow.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyWebhookSignature, WEBHOOK_HEADERS } from '../../channels/webhook/webhook-signature.js';
import { CALLBACK_HEADERS } from '../../activities/run-callback-activities.js';
import { closeUpdate, getRunQuery, submitActionUpdate } from '../../workflows/messages.js';
import { CALLBACK_SECRET, startApiStack, type ApiStack } from '../support/api-stack.js';
import { freePort } from '../support/free-port.js';
import { ALICE_AND_APPROVER_BOB } from '../support/policies.js';
import { actionIs, startRun, waitForRun } from '../support/runs.js';
import { startWebhookReceiver, type WebhookDelivery, type WebhookReceiver } from '../support/webhook-receiver.js';

const FLAGGED_CODE = 'import subprocess\nprint(subprocess.run(["echo", "called back"], capture_output=True, text=True).stdout.strip())';
const POLICY = () => `${ALICE_AND_APPROVER_BOB()}callbacks:\n  allowHosts: [127.0.0.1]\n`;

function header(delivery: WebhookDelivery, name: string): string {
  const value = delivery.headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

function idOf(delivery: WebhookDelivery): string {
  return header(delivery, CALLBACK_HEADERS.deliveryId);
}

/** The deliveries the receiver accepted (answered 200), by delivery id, in arrival order. */
function accepted(receiver: WebhookReceiver): WebhookDelivery[] {
  return receiver.deliveries.filter((d) => d.status === 200);
}

async function until(test: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}


/** The receiver example of the README (the ```js block that starts with `// receiver.mjs`). */
function readmeReceiver(): string {
  const readme = readFileSync(path.resolve('README.md'), 'utf8');
  const block = /```js\n(\/\/ receiver\.mjs\n[\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'the README has the receiver example');
  return block;
}

async function listening(port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`the README receiver never listened on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function assertSigned(delivery: WebhookDelivery): void {
  const timestamp = Number(header(delivery, WEBHOOK_HEADERS.timestamp));
  assert.ok(Math.abs(Date.now() / 1_000 - timestamp) < 300, 'the timestamp is current');
  assert.ok(verifyWebhookSignature(CALLBACK_SECRET, timestamp, delivery.body, header(delivery, WEBHOOK_HEADERS.signature)), `${idOf(delivery)} carries a valid signature`);
  assert.equal(verifyWebhookSignature('another-secret', timestamp, delivery.body, header(delivery, WEBHOOK_HEADERS.signature)), false);
  const body = JSON.parse(delivery.body) as { id: string; type: string };
  assert.equal(body.id, idOf(delivery), 'the body names the delivery id of its header');
  assert.equal(body.type, header(delivery, CALLBACK_HEADERS.event));
}

void describe('run events pushed to a callback URL', () => {
  let stack: ApiStack;
  let alice: string;
  let bob: string;
  const receivers: WebhookReceiver[] = [];
  const receiver = async (failFirst = 0) => {
    const started = await startWebhookReceiver({ failFirst });
    receivers.push(started);
    return started;
  };
  before(async () => {
    stack = await startApiStack({ policy: POLICY });
    alice = stack.tokenFor('alice');
    bob = stack.tokenFor('bob');
  });
  after(async () => {
    await stack?.stop();
    for (const r of receivers) await r.close();
  });

  void it('delivers every event of a human-approved run exactly once by delivery id, signed, in the stream ids', async () => {
    const hook = await receiver();
    const started = await stack.call('POST', '/v1/runs', {
      token: alice,
      body: { agent: 'callback-agent', closeWhenDone: true, callbackUrl: hook.url, actions: [{ language: 'python', code: FLAGGED_CODE }] },
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const runId = started.body.runId as string;
    await until(() => accepted(hook).some((d) => idOf(d) === `${runId}/a1/awaiting_approval`), 'action.awaiting_approval');
    const decided = await stack.call('POST', `/v1/runs/${runId}/actions/a1/decision`, { token: bob, body: { decision: 'approve' } });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    const expected = [`${runId}/a1/awaiting_approval`, `${runId}/a1/decided/1`, `${runId}/a1/finished`, `${runId}/closed`];
    // Events are delivered independently, so they may arrive in any order.
    await until(() => expected.every((id) => accepted(hook).some((d) => idOf(d) === id)), 'every event');
    // Anything still in flight (a duplicate would be) has time to arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const ids = hook.deliveries.map(idOf).sort();
    assert.deepEqual(ids, [...expected].sort());
    for (const delivery of hook.deliveries) assertSigned(delivery);
    const byId = new Map(hook.deliveries.map((d) => [idOf(d), JSON.parse(d.body) as Record<string, unknown>]));
    assert.equal(byId.get(`${runId}/a1/decided/1`)?.approver, 'bob');
    assert.equal(byId.get(`${runId}/a1/decided/1`)?.decision, 'approve');
    assert.equal(byId.get(`${runId}/a1/finished`)?.status, 'succeeded');
    assert.equal(byId.get(`${runId}/a1/finished`)?.exitCode, 0);
    assert.equal(byId.get(`${runId}/closed`)?.status, 'completed');

    // The same ids as the server-sent events of the run: a client may use either and dedupe across both.
    const run = await stack.call('GET', `/v1/runs/${runId}`, { token: alice });
    assert.deepEqual(run.body.callback, { url: hook.url });
    // The secret is the worker's: it appears nowhere in the run's history.
    const history = JSON.stringify(await stack.workers.client.workflow.getHandle(runId).fetchHistory());
    assert.equal(history.includes(CALLBACK_SECRET), false);
  });

  void it('retries a failing receiver until it takes every event, with the same delivery id on every attempt', async () => {
    const hook = await receiver(3);
    const started = await stack.call('POST', '/v1/runs', {
      token: alice,
      body: { agent: 'callback-agent', closeWhenDone: true, callbackUrl: hook.url, actions: [{ language: 'python', code: 'print("low risk")' }] },
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const runId = started.body.runId as string;
    const expected = [`${runId}/a1/decided/1`, `${runId}/a1/finished`, `${runId}/closed`];
    await until(() => expected.every((id) => accepted(hook).some((d) => idOf(d) === id)), 'every event accepted after retries');
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    assert.equal(hook.deliveries.filter((d) => d.status === 500).length, 3, 'the first three attempts failed');
    const acceptedIds = accepted(hook).map(idOf);
    // What a receiver that drops duplicates by id keeps: each event once.
    assert.deepEqual([...new Set(acceptedIds)].sort(), [...expected].sort());
    assert.equal(acceptedIds.length, expected.length, 'a retried event is not delivered again once accepted');
    for (const delivery of hook.deliveries) {
      assert.ok(expected.includes(idOf(delivery)), `a retry keeps its event's delivery id (${idOf(delivery)})`);
      assertSigned(delivery);
    }
    const finished = hook.deliveries.filter((d) => idOf(d) === `${runId}/a1/finished`).map((d) => JSON.parse(d.body) as Record<string, unknown>);
    // Every attempt of one event carries the same event.
    assert.ok(finished.every((body) => JSON.stringify(body) === JSON.stringify(finished[0])));
  });

  void it('never holds the run up for a receiver that is down', async () => {
    const deadUrl = `http://127.0.0.1:${await freePort()}/hook`;
    const started = await stack.call('POST', '/v1/runs', {
      token: alice,
      body: { agent: 'callback-agent', closeWhenDone: true, callbackUrl: deadUrl, actions: [{ language: 'python', code: 'print(6 * 7)' }] },
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const handle = stack.workers.client.workflow.getHandle(started.body.runId as string);
    const result = (await handle.result()) as { status: string; actions: { status: string }[] };
    assert.equal(result.status, 'completed');
    assert.equal(result.actions[0]?.status, 'succeeded');
  });

  void it('sends each event once across continue-as-new', async () => {
    const hook = await receiver();
    const started = await stack.call('POST', '/v1/runs', {
      token: alice,
      body: { agent: 'callback-agent', closeWhenDone: false, continueAsNewAfterEvents: 20, callbackUrl: hook.url },
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const runId = started.body.runId as string;
    const handle = stack.workers.client.workflow.getHandle(runId);
    for (const n of [1, 2, 3]) {
      const { actionId } = await handle.executeUpdate(submitActionUpdate, { args: [{ language: 'python', code: `print(${n})` }] });
      await waitForRun(handle, actionIs(actionId, 'succeeded'), 60_000);
    }
    const state = await handle.query(getRunQuery);
    // The run continues as new once its last child has started, which can lag the action's success under load.
    const deadline = Date.now() + 30_000;
    let { runId: executionNow } = await handle.describe();
    while (executionNow === state.executionId && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      ({ runId: executionNow } = await handle.describe());
    }
    assert.notEqual(executionNow, state.executionId, 'the run continued as new');
    await handle.executeUpdate(closeUpdate);
    await handle.result();
    const expected = ['a1', 'a2', 'a3'].flatMap((a) => [`${runId}/${a}/decided/1`, `${runId}/${a}/finished`]).concat(`${runId}/closed`);
    await until(() => expected.every((id) => accepted(hook).some((d) => idOf(d) === id)), 'every event of every execution');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const ids = hook.deliveries.map(idOf);
    assert.deepEqual([...ids].sort(), [...expected].sort());
  });

  void it('the README receiver verifies signatures and prints each event once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'airlock-receiver-'));
    const file = path.join(dir, 'receiver.mjs');
    writeFileSync(file, readmeReceiver());
    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, [file], { env: { ...process.env, PORT: String(port), AIRLOCK_CALLBACK_SECRET: CALLBACK_SECRET }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    try {
      await listening(port);
      const url = `http://127.0.0.1:${port}/airlock`;
      // A forged delivery (wrong secret) is refused.
      const body = JSON.stringify({ id: 'forged', type: 'run.closed' });
      const forged = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'x-airlock-timestamp': String(Math.floor(Date.now() / 1_000)), 'x-airlock-signature': 'v1=00', 'x-airlock-delivery': 'forged' },
      });
      assert.equal(forged.status, 401);

      const started = await stack.call('POST', '/v1/runs', {
        token: alice,
        body: { agent: 'callback-agent', closeWhenDone: true, callbackUrl: url, actions: [{ language: 'python', code: 'print(42)' }] },
      });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      const runId = started.body.runId as string;
      // Events are delivered independently: they may arrive in any order.
      await until(() => ['action.decided', 'action.finished', 'run.closed'].every((type) => output.includes(type)), 'every event printed by the README receiver');
      const lines = output.trim().split('\n').sort();
      assert.deepEqual(lines, [`action.decided ${runId}/a1/decided/1 approve`, `action.finished ${runId}/a1/finished succeeded`, `run.closed ${runId}/closed completed`].sort());
    } finally {
      child.kill();
    }
  });

  void it('refuses a callback URL the policy does not allow with a clear 400, and starts nothing', async () => {
    const cases: [string, RegExp][] = [
      ['http://10.20.30.40:8080/hook', /callbackUrl: 10\.20\.30\.40:8080 is not a callback host the policy lists/],
      ['http://169.254.169.254/latest/meta-data/', /callbacks may never go to 169\.254\.169\.254/],
      ['http://127.0.0.1:2375/containers/prune', /port 2375 belongs to the control plane/],
      ['http://agent:secret@127.0.0.1:9000/hook', /must not carry a user name or password/],
      ['file:///etc/passwd', /must use https/],
    ];
    for (const [callbackUrl, message] of cases) {
      const response = await stack.call('POST', '/v1/runs', {
        token: alice,
        body: { agent: 'callback-refused', closeWhenDone: true, callbackUrl, actions: [{ language: 'python', code: 'print(1)' }] },
      });
      assert.equal(response.status, 400, callbackUrl);
      assert.equal(response.body.error.code, 'invalid_request');
      assert.match(response.body.error.message, message);
    }
    const listed = await stack.call('GET', '/v1/runs?agent=callback-refused', { token: alice });
    assert.deepEqual(listed.body.runs, []);
  });

  void it('a run started on Temporal directly with a URL the pinned policy refuses pushes nothing', async () => {
    const hook = await receiver();
    // An agent that reaches Temporal itself skips the API's check; the workflow checks against its pinned policy.
    const handle = await startRun(stack.workers.client, stack.workers.taskQueue, {
      callbackUrl: hook.url.replace('127.0.0.1', 'localhost'),
      actions: [{ language: 'python', code: 'print(2)' }],
    });
    await handle.result();
    const state = await handle.query(getRunQuery);
    assert.match(state.callback?.refused ?? '', /localhost:\d+ is not a callback host the policy lists/);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(hook.deliveries.length, 0);
  });
});
