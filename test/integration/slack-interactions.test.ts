/** Slack approvals end to end: real workers and API, Slack's Web API faked locally, requests signed like Slack's. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SLACK_ACTION_IDS } from '../../channels/slack/button-value.js';
import { buttonClickBody, slackSignature, type SlackCall } from '../support/fake-slack.js';
import { actionIs, startRun, waitForRun } from '../support/runs.js';
import { SLACK_SIGNING_SECRET, startApiStack, type ApiStack } from '../support/api-stack.js';
import { decideSigned } from '../support/signed-decision.js';

const MEDIUM_CODE = 'import subprocess\nprint(subprocess.run(["echo", "slack-ok"], capture_output=True, text=True).stdout.strip())';
const HIGH_CODE = 'import os\nos.system("echo slack-high")';

const policy = () => `principals:
  - { id: alice, roles: [developer, approver], slackUserId: UALICE }
  - { id: bob, roles: [approver], slackUserId: UBOB }
  - { id: carol, roles: [approver], slackUserId: UCAROL }
  - { id: dave, roles: [developer], slackUserId: UDAVE }
levels:
  medium: { mode: human, roles: [approver], quorum: 1, notify: [slack] }
  high: { mode: human, roles: [approver], quorum: 2, notify: [slack] }
channels:
  slack: { channel: C0APPROVALS }
`;

describe('Slack approvals', () => {
  let stack: ApiStack;
  before(async () => {
    stack = await startApiStack({ policy });
  });
  after(async () => {
    await stack?.stop();
  });

  const until = async <T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const postFor = (runId: string) => until('the Slack post', () => stack.slack.callsTo('chat.postMessage').find((c) => JSON.stringify(c.args).includes(runId)));
  const buttonValue = (post: SlackCall): string => {
    const actions = (post.args.blocks as Array<{ type: string; elements?: Array<{ value?: string }> }>).find((b) => b.type === 'actions');
    return actions!.elements![0]!.value!;
  };
  const ephemeralsFor = (user: string) => stack.slack.callsTo('chat.postEphemeral').filter((c) => c.args.user === user);

  /** Posts a click as Slack would; `sign` can be overridden to test refusals. */
  const click = async (userId: string, value: string, options: { action?: string; timestampSec?: number; signature?: string; body?: string } = {}) => {
    const body = options.body ?? buttonClickBody({ userId, actionId: options.action ?? SLACK_ACTION_IDS.approve, value });
    const timestampSec = options.timestampSec ?? Math.floor(Date.now() / 1000);
    const response = await fetch(`${stack.api.url}/slack/interactions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestampSec),
        'x-slack-signature': options.signature ?? slackSignature(SLACK_SIGNING_SECRET, timestampSec, body),
      },
      body,
    });
    return { status: response.status, body: (await response.json()) as { error?: { code: string } }, sent: { body, timestampSec } };
  };

  it('posts Block Kit with the findings and code, approves from a button and updates the message', async () => {
    const handle = await startRun(stack.workers.client, stack.workers.taskQueue, {
      agent: 'slack-agent',
      actions: [{ language: 'python', task: 'echo through a subprocess', code: MEDIUM_CODE }],
    });
    const post = await postFor(handle.workflowId);
    assert.equal(post.args.channel, 'C0APPROVALS');
    const text = JSON.stringify(post.args.blocks);
    for (const part of ['slack-agent', 'echo through a subprocess', 'MEDIUM risk', 'py.subprocess', 'import subprocess']) assert.ok(text.includes(part), part);

    const reply = await click('UBOB', buttonValue(post));
    assert.equal(reply.status, 200);
    const run = await handle.result();
    assert.equal(run.actions[0]?.status, 'succeeded');
    assert.equal(run.actions[0]?.result?.stdout.text, 'slack-ok\n');
    assert.deepEqual(run.actions[0]?.decisions.map((d) => [d.approver, d.channel]), [['bob', 'slack']]);
    const update = stack.slack.callsTo('chat.update').find((c) => c.args.ts === post.reply.ts);
    assert.ok(update, 'the message was updated');
    assert.match(JSON.stringify(update.args.blocks), /Approved by bob/);
    assert.doesNotMatch(JSON.stringify(update.args.blocks), /airlock_approve/);
  });

  it('refuses a bad signature and a stale timestamp with 401, recording nothing', async () => {
    const handle = await startRun(stack.workers.client, stack.workers.taskQueue, { actions: [{ language: 'python', code: MEDIUM_CODE }] });
    const value = buttonValue(await postFor(handle.workflowId));
    const forged = await click('UBOB', value, { signature: `v0=${'0'.repeat(64)}` });
    assert.equal(forged.status, 401);
    assert.equal(forged.body.error?.code, 'unauthenticated');
    const stale = await click('UBOB', value, { timestampSec: Math.floor(Date.now() / 1000) - 6 * 60 });
    assert.equal(stale.status, 401);
    const unsigned = await fetch(`${stack.api.url}/slack/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: buttonClickBody({ userId: 'UBOB', actionId: SLACK_ACTION_IDS.approve, value }),
    });
    assert.equal(unsigned.status, 401);
    const state = await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    assert.deepEqual(state.actions[0]?.decisions, []);
    await click('UCAROL', value, { action: SLACK_ACTION_IDS.deny });
    const run = await handle.result();
    assert.equal(run.actions[0]?.status, 'denied');
  });

  it('counts a replayed request and a double click once, and refuses the requester and a principal without the role', async () => {
    const handle = await startRun(stack.workers.client, stack.workers.taskQueue, { actions: [{ language: 'python', code: HIGH_CODE }] });
    const value = buttonValue(await postFor(handle.workflowId));
    const first = await click('UBOB', value);
    assert.equal(first.status, 200);
    const replay = await click('UBOB', value, { body: first.sent.body, timestampSec: first.sent.timestampSec });
    assert.equal(replay.status, 200);
    const doubleClick = await click('UBOB', value);
    assert.equal(doubleClick.status, 200);
    const own = await click('UALICE', value);
    assert.equal(own.status, 200);
    const noRole = await click('UDAVE', value);
    assert.equal(noRole.status, 200);

    await until('the refusals', () => (ephemeralsFor('UDAVE').length > 0 && ephemeralsFor('UALICE').length > 0 ? true : undefined));
    assert.deepEqual(
      ephemeralsFor('UBOB').map((c) => String(c.args.text).replace(/:.*/, '')),
      ['Your approval counted', 'Not counted'],
      'the replay is acknowledged silently; the double click is refused',
    );
    assert.match(String(ephemeralsFor('UBOB').at(-1)?.args.text), /already decided/);
    assert.match(String(ephemeralsFor('UALICE').at(-1)?.args.text), /alice requested this action and may not approve it/);
    assert.match(String(ephemeralsFor('UDAVE').at(-1)?.args.text), /dave may not decide on high risk actions/);
    // The refused clicks are recorded (the deciding service reports them back, signed), and count for nothing.
    const state = await waitForRun(handle, (r) => actionIs('a1', 'awaiting_approval')(r) && r.ignoredDecisions.length >= 3);
    assert.deepEqual(state.actions[0]?.decisions.map((d) => d.approver), ['bob'], 'one decision for bob; none for alice or dave');
    assert.deepEqual(state.ignoredDecisions.map((d) => d.approver).sort(), ['alice', 'bob', 'dave']);
    assert.ok(state.ignoredDecisions.every((d) => d.channel === 'slack' && d.refusal !== undefined), JSON.stringify(state.ignoredDecisions));
    assert.equal(state.ignoredDecisions.find((d) => d.approver === 'alice')?.refusal, 'self_approval');

    await click('UCAROL', value);
    const run = await handle.result();
    assert.equal(run.actions[0]?.status, 'succeeded');
    assert.deepEqual(run.actions[0]?.decisions.map((d) => [d.approver, d.channel]), [['bob', 'slack'], ['carol', 'slack']]);
  });

  it('updates the Slack message when the decision came from another channel', async () => {
    const handle = await startRun(stack.workers.client, stack.workers.taskQueue, { actions: [{ language: 'python', code: MEDIUM_CODE }] });
    const post = await postFor(handle.workflowId);
    await decideSigned(handle, stack.home, { actionId: 'a1', decision: 'deny', approver: 'carol', channel: 'cli', reason: 'not today' });
    const run = await handle.result();
    assert.equal(run.actions[0]?.status, 'denied');
    const update = stack.slack.callsTo('chat.update').find((c) => c.args.ts === post.reply.ts);
    assert.ok(update, 'the message was updated');
    assert.match(JSON.stringify(update.args.blocks), /Denied by carol/);
  });

  it('answers a click after the wait timed out with a clear "already timed out"', async () => {
    const handle = await startRun(stack.workers.client, stack.workers.taskQueue, {
      approvalTimeoutMs: 1_500,
      actions: [{ language: 'python', code: MEDIUM_CODE }],
    });
    const post = await postFor(handle.workflowId);
    const run = await handle.result();
    assert.equal(run.actions[0]?.status, 'timed_out');
    const update = await until('the timed-out update', () => stack.slack.callsTo('chat.update').find((c) => JSON.stringify(c.args).includes(handle.workflowId)));
    assert.match(JSON.stringify(update.args.blocks), /Timed out/);
    const before = ephemeralsFor('UCAROL').length;
    const late = await click('UCAROL', buttonValue(post));
    assert.equal(late.status, 200);
    await until('the late reply', () => (ephemeralsFor('UCAROL').length > before ? true : undefined));
    assert.match(String(ephemeralsFor('UCAROL').at(-1)?.args.text), /already timed out/);
  });
});
