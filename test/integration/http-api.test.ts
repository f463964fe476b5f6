/** The HTTP API against real workers, a real Temporal server and Docker; the policy file is edited mid-test. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ROUTE_LIST } from '../../server/route-table.js';
import { openApiPath } from '../../server/openapi.js';
import { verifyWebhookSignature, WEBHOOK_HEADERS } from '../../channels/webhook/webhook-signature.js';
import { startApiStack, WEBHOOK_SECRET, type ApiStack } from '../support/api-stack.js';
import { openApiProblems } from '../support/openapi-check.js';
import { uniqueId } from '../support/temporal.js';

const MEDIUM_CODE = 'import subprocess\nprint(subprocess.run(["echo", "medium-ok"], capture_output=True, text=True).stdout.strip())';
const HIGH_CODE = 'import os\nos.system("echo high-ok")';

const policy = (webhookUrl: string, medium = 'mode: human\n    roles: [approver]\n    quorum: 1\n    notify: [webhook]') => `principals:
  - { id: alice, roles: [developer, approver] }
  - { id: bob, roles: [approver] }
  - { id: carol, roles: [approver] }
  - { id: dave, roles: [developer] }
levels:
  medium:
    ${medium}
  high:
    mode: human
    roles: [approver]
    quorum: 2
channels:
  webhook: { url: "${webhookUrl}" }
`;

describe('HTTP API', () => {
  let stack: ApiStack;
  let alice: string;
  let bob: string;
  let carol: string;
  let dave: string;
  before(async () => {
    // The first webhook delivery fails: Temporal must retry it.
    stack = await startApiStack({ policy: (url) => policy(url), webhookFailFirst: 1 });
    [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map((p) => stack.tokenFor(p)) as [string, string, string, string];
  });
  after(async () => {
    await stack?.stop();
  });

  const waitForStatus = async (runId: string, actionId: string, status: string, token: string) => {
    for (let i = 0; i < 200; i++) {
      const { body } = await stack.call('GET', `/v1/runs/${runId}`, { token });
      const action = body.actions?.find((a: { actionId: string }) => a.actionId === actionId);
      if (action?.status === status) return body;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`action ${actionId} of ${runId} never reached ${status}`);
  };

  const startMedium = async (token: string, agent = 'api-agent') => {
    const started = await stack.call('POST', '/v1/runs', { token, body: { agent, closeWhenDone: true, actions: [{ language: 'python', code: MEDIUM_CODE }] } });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    return started.body.runId as string;
  };

  it('serves an OpenAPI 3 document, without a token, that documents every route', async () => {
    const { status, body } = await stack.call('GET', '/v1/openapi.json');
    assert.equal(status, 200);
    assert.deepEqual(openApiProblems(body), []);
    for (const route of ROUTE_LIST) {
      assert.ok(body.paths[openApiPath(route.url)]?.[route.method.toLowerCase()], `${route.method} ${route.url} is documented`);
    }
    assert.ok(body.paths['/v1/runs/{runId}/actions/{actionId}/decision'].post.requestBody.content['application/json'].schema.properties.decision);
  });

  it('answers 401 as JSON without a valid bearer token', async () => {
    const none = await stack.call('GET', '/v1/runs');
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'unauthenticated');
    assert.match(none.body.error.message, /missing bearer token/);
    const bad = await stack.call('GET', '/v1/runs', { token: 'alk_not-a-real-token' });
    assert.equal(bad.status, 401);
    assert.match(bad.body.error.message, /not valid/);
  });

  it('takes the requester from the token, refuses a principal without the role (403) and the requester (403), then 409 for a duplicate', async () => {
    const started = await stack.call('POST', '/v1/runs', {
      token: alice,
      body: { agent: 'api-agent', requester: 'mallory', actions: [{ language: 'python', code: MEDIUM_CODE }] },
    });
    assert.equal(started.status, 400, 'a requester in the body is refused, not trusted');
    const runId = await startMedium(alice);
    const waiting = await waitForStatus(runId, 'a1', 'awaiting_approval', alice);
    assert.equal(waiting.requester, 'alice');

    const noRole = await stack.call('POST', `/v1/runs/${runId}/actions/a1/decision`, { token: dave, body: { decision: 'approve' } });
    assert.equal(noRole.status, 403);
    assert.equal(noRole.body.error.reason, 'not_authorised');
    assert.match(noRole.body.error.message, /needs the role approver/);
    const own = await stack.call('POST', `/v1/runs/${runId}/actions/a1/decision`, { token: alice, body: { decision: 'approve' } });
    assert.equal(own.status, 403);
    assert.equal(own.body.error.reason, 'self_approval');
    assert.deepEqual((await stack.call('GET', `/v1/runs/${runId}`, { token: bob })).body.actions[0].decisions, [], 'refusals record nothing');

    const ok = await stack.call('POST', `/v1/runs/${runId}/actions/a1/decision`, { token: bob, body: { decision: 'approve', reason: 'fine' } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body, { actionId: 'a1', status: 'approved', approvals: 1, requiredApprovals: 1 });
    const again = await stack.call('POST', `/v1/runs/${runId}/actions/a1/decision`, { token: carol, body: { decision: 'approve' } });
    assert.equal(again.status, 409, 'a decision after the wait ended is too late');
    const done = await waitForStatus(runId, 'a1', 'succeeded', bob);
    const decision = done.actions[0].decisions[0];
    assert.deepEqual([decision.approver, decision.channel, decision.reason], ['bob', 'api', 'fine']);
    assert.equal(decision.policyVersion, done.policyVersion);
  });

  it('needs two distinct approvers for high risk; the same approver twice counts once', async () => {
    const agent = uniqueId('api-high');
    const started = await stack.call('POST', '/v1/runs', { token: alice, body: { agent, closeWhenDone: true, actions: [{ language: 'python', code: HIGH_CODE }] } });
    const runId = started.body.runId as string;
    await waitForStatus(runId, 'a1', 'awaiting_approval', alice);
    const first = await stack.call('POST', `/v1/runs/${runId}/actions/a1/decision`, { token: bob, body: { decision: 'approve' } });
    assert.deepEqual(first.body, { actionId: 'a1', status: 'awaiting_approval', approvals: 1, requiredApprovals: 2 });
    const twice = await stack.call('POST', `/v1/runs/${runId}/actions/a1/decision`, { token: stack.tokenFor('bob'), body: { decision: 'approve' } });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error.reason, 'duplicate_decision');
    const second = await stack.call('POST', `/v1/runs/${runId}/actions/a1/decision`, { token: carol, body: { decision: 'approve' } });
    assert.equal(second.body.status, 'approved');
    const done = await waitForStatus(runId, 'a1', 'succeeded', alice);
    assert.equal(done.actions[0].result.stdout.text, 'high-ok\n');

    // Visibility is eventually consistent: poll briefly until the search attributes caught up.
    let listed: Awaited<ReturnType<ApiStack['call']>> | undefined;
    for (let i = 0; i < 40; i++) {
      listed = await stack.call('GET', `/v1/runs?agent=${agent}&risk=high&status=completed`, { token: dave });
      if (listed.body.runs?.some((r: { runId: string }) => r.runId === runId)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(listed?.status, 200);
    assert.deepEqual(listed?.body.runs.map((r: { runId: string; highestRisk: string }) => [r.runId, r.highestRisk]), [[runId, 'high']]);
    const wrongRisk = await stack.call('GET', `/v1/runs?agent=${agent}&risk=low`, { token: dave });
    assert.deepEqual(wrongRisk.body.runs.filter((r: { runId: string }) => r.runId === runId), []);
    const badQuery = await stack.call('GET', '/v1/runs?risk=extreme', { token: dave });
    assert.equal(badQuery.status, 400);
  });

  it('lets only the requester submit actions to a run', async () => {
    const started = await stack.call('POST', '/v1/runs', { token: alice, body: { agent: 'api-session' } });
    const runId = started.body.runId as string;
    const foreign = await stack.call('POST', `/v1/runs/${runId}/actions`, { token: bob, body: { language: 'node', code: 'console.log(1)' } });
    assert.equal(foreign.status, 403);
    const own = await stack.call('POST', `/v1/runs/${runId}/actions`, { token: alice, body: { language: 'node', code: 'console.log(6 * 7)' } });
    assert.equal(own.status, 201);
    assert.deepEqual(own.body, { actionId: 'a1' });
    const done = await waitForStatus(runId, 'a1', 'succeeded', alice);
    assert.equal(done.actions[0].result.stdout.text, '42\n');
    const missing = await stack.call('GET', '/v1/runs/run-does-not-exist', { token: alice });
    assert.equal(missing.status, 404);
    await stack.workers.client.workflow.getHandle(runId).terminate('test done');
  });

  it('signs the webhook and lets Temporal retry a failed delivery', async () => {
    for (let i = 0; i < 100 && stack.webhook.deliveries.length < 2; i++) await new Promise((r) => setTimeout(r, 150));
    const [failed, retried] = stack.webhook.deliveries;
    assert.equal(failed?.status, 500);
    assert.equal(retried?.status, 200);
    for (const delivery of [failed!, retried!]) {
      const timestamp = Number(delivery.headers[WEBHOOK_HEADERS.timestamp]);
      assert.ok(verifyWebhookSignature(WEBHOOK_SECRET, timestamp, delivery.body, String(delivery.headers[WEBHOOK_HEADERS.signature])));
    }
    assert.equal(JSON.parse(retried!.body).type, 'approval.requested');
    assert.equal(verifyWebhookSignature(WEBHOOK_SECRET, 1, retried!.body, String(retried!.headers[WEBHOOK_HEADERS.signature])), false);
  });

  it('applies an edited policy file to new runs only', async () => {
    const waitingRunId = await startMedium(alice, 'api-edit');
    const waiting = await waitForStatus(waitingRunId, 'a1', 'awaiting_approval', alice);
    stack.writePolicy(policy(stack.webhook.url, 'mode: deny'));
    const newRunId = await startMedium(alice, 'api-edit');
    const denied = await waitForStatus(newRunId, 'a1', 'denied', alice);
    assert.notEqual(denied.policyVersion, waiting.policyVersion);
    assert.deepEqual(denied.actions[0].decisions[0].ruleIds.slice(0, 1), ['gate.medium.deny']);

    const approved = await stack.call('POST', `/v1/runs/${waitingRunId}/actions/a1/decision`, { token: bob, body: { decision: 'approve' } });
    assert.equal(approved.status, 200, 'the waiting run keeps the policy it started with');
    const done = await waitForStatus(waitingRunId, 'a1', 'succeeded', alice);
    assert.equal(done.actions[0].decisions[0].policyVersion, waiting.policyVersion);
    stack.writePolicy(policy(stack.webhook.url));
  });

  it('rate-limits per token with 429 and Retry-After', async () => {
    const limited = await stack.startApi({ AIRLOCK_API_RATE_LIMIT: '2' });
    const token = stack.tokenFor('dave');
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 3; i++) {
      const response = await stack.call('GET', `${limited.url}/v1/runs?limit=1`, { token });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
    }
    assert.deepEqual(statuses, [200, 200, 429]);
    assert.ok(Number(retryAfter) >= 1);
    const other = await stack.call('GET', `${limited.url}/v1/runs?limit=1`, { token: stack.tokenFor('dave') });
    assert.equal(other.status, 200, 'another token has its own budget');
  });
});
