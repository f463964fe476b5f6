/**
 * The escalation ladder in the time-skipping environment: Slack is told when the wait starts, the webhook (naming
 * the security role) after T1, and the action is denied after T2, with the Slack message rewritten to say so.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createControlActivities } from '../../activities/index.js';
import { readPolicyFile } from '../../policy/policy-loader.js';
import { createSlackApi } from '../../channels/slack/slack-api.js';
import { verifyWebhookSignature, WEBHOOK_HEADERS } from '../../channels/webhook/webhook-signature.js';
import { createLogger } from '../../platform/logger.js';
import { agentRun } from '../../workflows/agent-run.js';
import { closeUpdate, getRunQuery } from '../../workflows/messages.js';
import { DecisionSigner } from '../../server/decision-signer.js';
import { decideSigned } from '../support/signed-decision.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { createTimeSkippingEnv } from '../support/time-skipping.js';
import { uniqueId, workflowBundle } from '../support/temporal.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const WEBHOOK_SECRET = 'test-webhook-secret';

/** The deciding service of this test: its public key is in the ladder policy, so its signatures count. */
const signer = DecisionSigner.fromSecretKey(randomBytes(32));

function ladderPolicy(webhookUrl: string): string {
  return `signers:
  - { name: test, publicKey: ${signer.publicKey} }
principals:
  - { id: alice, roles: [developer] }
  - { id: bob, roles: [approver], slackUserId: UBOB }
  - { id: sam, roles: [security], slackUserId: USAM }
levels:
  medium:
    mode: human
    roles: [approver, security]
    quorum: 1
    timeout: 30m
    notify: [slack]
    escalation:
      - after: 10m
        notify: [webhook]
        roles: [security]
channels:
  slack: { channel: C0APPROVALS }
  webhook: { url: "${webhookUrl}" }
`;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('escalation ladder (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let slack: FakeSlack;
  let webhook: WebhookReceiver;
  before(async () => {
    env = await createTimeSkippingEnv();
    slack = await startFakeSlack();
    webhook = await startWebhookReceiver();
  });
  after(async () => {
    await env?.teardown();
    await slack?.close();
    await webhook?.close();
  });

  const startWorker = async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'airlock-policy-'));
    const policyFile = path.join(dir, 'airlock.policy.yaml');
    writeFileSync(policyFile, ladderPolicy(webhook.url));
    const logger = createLogger({ level: 'warn' });
    const taskQueue = uniqueId('airlock-ladder');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: createControlActivities({
        logger,
        policy: () => readPolicyFile(policyFile),
        channels: { slack: createSlackApi({ token: 'xoxb-test', apiUrl: slack.apiUrl, logger }), webhookSecret: WEBHOOK_SECRET },
      }),
    });
    return { worker, taskQueue };
  };

  it('posts to Slack at once, calls the webhook naming the security role after T1, and denies after T2', async () => {
    const { worker, taskQueue } = await startWorker();
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(agentRun, {
        taskQueue,
        workflowId: uniqueId('run'),
        args: [
          {
            agent: 'ladder-agent',
            requester: 'alice',
            closeWhenDone: true,
            actions: [{ language: 'python', task: 'list files', code: 'import subprocess\nsubprocess.run(["ls"])' }],
          },
        ],
      });
      await until('the Slack post', () => (slack.callsTo('chat.postMessage').length > 0 ? true : undefined));
      const post = slack.callsTo('chat.postMessage')[0]!;
      assert.equal(post.args.channel, 'C0APPROVALS');
      const blocksText = JSON.stringify(post.args.blocks);
      assert.match(blocksText, /MEDIUM risk/);
      assert.match(blocksText, /ladder-agent/);
      assert.match(blocksText, /py\.subprocess/);
      assert.match(blocksText, /airlock_approve/);
      assert.match(blocksText, /airlock_deny/);

      await env.sleep(9 * 60_000);
      assert.equal(webhook.deliveries.length, 0, 'no escalation before T1');
      assert.equal((await handle.query(getRunQuery)).actions[0]?.status, 'awaiting_approval');

      await env.sleep(2 * 60_000);
      const delivery = await until('the webhook escalation', () => webhook.deliveries[0]);
      const timestamp = Number(delivery.headers[WEBHOOK_HEADERS.timestamp]);
      assert.ok(verifyWebhookSignature(WEBHOOK_SECRET, timestamp, delivery.body, String(delivery.headers[WEBHOOK_HEADERS.signature])));
      const body = JSON.parse(delivery.body) as Record<string, unknown>;
      assert.equal(body.type, 'approval.requested');
      assert.equal(body.stage, 1);
      assert.deepEqual(body.mentions, ['sam']);
      assert.equal(body.level, 'medium');

      const final = await handle.result();
      const action = final.actions[0]!;
      assert.equal(action.status, 'timed_out');
      const waitedMs = Date.parse(action.updatedAt) - Date.parse(action.submittedAt);
      assert.ok(waitedMs >= 30 * 60_000 && waitedMs < 31 * 60_000, `denied after ${waitedMs} ms of workflow time`);
      assert.deepEqual(action.decisions.map((d) => [d.approver, d.decision, d.ruleIds]), [['policy', 'deny', ['gate.approval-timeout']]]);
      const stages = (action.notifications ?? []).map((n) => [n.channel, n.stage, n.delivered]).sort();
      assert.deepEqual(stages, [['slack', 0, true], ['webhook', 1, true]]);
      const escalatedAt = Date.parse(action.notifications!.find((n) => n.channel === 'webhook')!.at) - Date.parse(action.submittedAt);
      assert.ok(escalatedAt >= 10 * 60_000 && escalatedAt < 11 * 60_000, `escalated after ${escalatedAt} ms`);

      const updates = slack.callsTo('chat.update');
      assert.equal(updates.length, 1, 'the Slack message is rewritten once, with the outcome');
      assert.equal(updates[0]!.args.ts, action.notifications!.find((n) => n.channel === 'slack')!.slack!.ts);
      assert.match(JSON.stringify(updates[0]!.args.blocks), /Timed out/);
      assert.doesNotMatch(JSON.stringify(updates[0]!.args.blocks), /airlock_approve/, 'no buttons once decided');
    });
  });

  it('does not escalate a wait decided before T1, and rewrites the message with the decision', async () => {
    const { worker, taskQueue } = await startWorker();
    const webhookCallsBefore = webhook.deliveries.length;
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(agentRun, {
        taskQueue,
        workflowId: uniqueId('run'),
        // An open session, so the run outlives T1 and T2 and a stray escalation would show.
        args: [{ agent: 'ladder-agent', requester: 'alice', closeWhenDone: false, actions: [{ language: 'python', code: 'import subprocess' }] }],
      });
      const post = await until('the Slack post', () => slack.callsTo('chat.postMessage').find((c) => JSON.stringify(c.args).includes(handle.workflowId)));
      await env.sleep(5 * 60_000);
      // A deny, so the action never needs the sandbox queue (not served in this environment).
      // Signed at the skipped-ahead workflow time, as the deciding service would sign a click then.
      await decideSigned(handle, signer, { actionId: 'a1', decision: 'deny', approver: 'bob', channel: 'slack' }, new Date(await env.currentTimeMs()));
      await until('the denial', async () => ((await handle.query(getRunQuery)).actions[0]?.status === 'denied' ? true : undefined));
      await env.sleep(40 * 60_000);
      const final = await handle.executeUpdate(closeUpdate);
      assert.equal(final.actions[0]?.status, 'denied');
      await handle.result();
      assert.equal(webhook.deliveries.length, webhookCallsBefore, 'no escalation once decided');
      assert.deepEqual(final.actions[0]?.notifications?.map((n) => [n.channel, n.stage]), [['slack', 0]]);
      assert.match(JSON.stringify(slack.callsTo('chat.update').find((c) => c.args.ts === post.reply.ts)?.args.blocks), /Denied by bob/);
    });
  });
});
