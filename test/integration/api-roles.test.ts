/**
 * Roles and token life: an agent token may start runs, submit actions and read its own runs but never decide (API
 * and web UI); a viewer reads but does not decide; a revoked or expired token is refused at once, web sessions
 * included. Real API server, workers and Temporal.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { tokenFilePath, TokenStore } from '../../platform/token-store.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';

const MEDIUM_CODE = 'import subprocess\nprint(subprocess.run(["echo", "roles"], capture_output=True, text=True).stdout.strip())';
const policy = () => 'levels:\n  medium:\n    mode: human\n    quorum: 1\n    timeout: 5m\n';

describe('API roles and token life', () => {
  let stack: ApiStack;
  let tokens: TokenStore;
  before(async () => {
    stack = await startApiStack({ policy });
    tokens = new TokenStore(tokenFilePath(stack.home));
  });
  after(async () => {
    await stack?.stop();
  });

  const waitingRun = async (agentToken: string): Promise<string> => {
    const started = await stack.call('POST', '/v1/runs', { token: agentToken, body: { agent: 'roles-agent', closeWhenDone: true, actions: [{ language: 'python', code: MEDIUM_CODE }] } });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const runId = started.body.runId as string;
    for (let i = 0; i < 200; i++) {
      const { body } = await stack.call('GET', `/v1/runs/${runId}`, { token: agentToken });
      if (body.actions?.[0]?.status === 'awaiting_approval') return runId;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`run ${runId} never awaited approval`);
  };

  /** Signs in to the web UI with a token; returns the session cookie (or the refusal page's status). */
  const signIn = async (token: string): Promise<{ status: number; cookie?: string }> => {
    const response = await fetch(`${stack.api.url}/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, next: '/' }),
    });
    const cookie = response.headers.get('set-cookie')?.split(';')[0];
    return { status: response.status, ...(cookie ? { cookie } : {}) };
  };

  const uiDecide = async (cookie: string, runId: string) => {
    const page = await fetch(`${stack.api.url}/runs/${runId}`, { headers: { cookie } });
    const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const response = await fetch(`${stack.api.url}/runs/${runId}/actions/a1/decision`, {
      method: 'POST',
      headers: { cookie, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': csrf },
      body: new URLSearchParams({ decision: 'approve' }),
    });
    return { status: response.status, body: (await response.json()) as { ok?: boolean; error?: { message: string } } };
  };

  it('gives an agent token 403 on every decision route, and lets it work on its own runs only', async () => {
    const agent = stack.tokenFor('svc-a', ['agent']);
    const runId = await waitingRun(agent);
    const decided = await stack.call('POST', `/v1/runs/${runId}/actions/a1/decision`, { token: agent, body: { decision: 'approve' } });
    assert.equal(decided.status, 403);
    assert.equal(decided.body.error.code, 'forbidden');
    assert.match(decided.body.error.message, /needs the role approver or admin; this token has roles agent/);
    // The web UI's decision route is behind sign-in, which an agent token cannot pass.
    const session = await signIn(agent);
    assert.equal(session.status, 403);
    assert.equal(session.cookie, undefined);

    const submitted = await stack.call('POST', `/v1/runs/${runId}/actions`, { token: agent, body: { language: 'python', code: 'print(1)' } });
    assert.equal(submitted.status, 201, `an agent submits to its own run: ${JSON.stringify(submitted.body)}`);
    const other = stack.tokenFor('svc-b', ['agent']);
    assert.equal((await stack.call('GET', `/v1/runs/${runId}`, { token: other })).status, 403, 'another agent cannot read it');
    assert.equal((await stack.call('GET', '/v1/runs?limit=5', { token: other })).status, 403, 'nor list every run');

    // A viewer reads everything and may sign in, but deciding needs the approver role there too.
    const viewer = stack.tokenFor('vera', ['viewer']);
    assert.equal((await stack.call('GET', `/v1/runs/${runId}`, { token: viewer })).status, 200);
    assert.equal((await stack.call('POST', `/v1/runs/${runId}/actions/a1/decision`, { token: viewer, body: { decision: 'approve' } })).status, 403);
    const viewerSession = await signIn(viewer);
    assert.ok(viewerSession.cookie, `a viewer signs in (status ${viewerSession.status})`);
    const viewerDecision = await uiDecide(viewerSession.cookie, runId);
    assert.equal(viewerDecision.status, 403);
    assert.match(viewerDecision.body.error?.message ?? '', /may view runs but not decide/);

    // An approver's decision counts, signed by the API.
    const approver = stack.tokenFor('bob', ['approver']);
    const approved = await stack.call('POST', `/v1/runs/${runId}/actions/a1/decision`, { token: approver, body: { decision: 'deny', reason: 'roles test' } });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    const run = await stack.call('GET', `/v1/runs/${runId}`, { token: approver });
    const human = run.body.actions[0].decisions.find((d: { automatic: boolean }) => !d.automatic);
    assert.equal(human.approver, 'bob');
    assert.match(human.signerKeyId, /^[0-9a-f]{16}$/);
  });

  it('refuses a revoked token at once, in the API and in a web session that is already open', async () => {
    const agent = stack.tokenFor('svc-r', ['agent']);
    const runId = await waitingRun(agent);
    const created = tokens.create('carol', { roles: ['approver'], createdBy: 'test-admin' });
    const session = await signIn(created.token);
    assert.ok(session.cookie, `signed in (status ${session.status})`);
    assert.equal((await fetch(`${stack.api.url}/`, { headers: { cookie: session.cookie }, redirect: 'manual' })).status, 200);
    assert.equal((await stack.call('GET', '/v1/whoami', { token: created.token })).body.principal, 'carol');

    tokens.revoke(created.record.id, { revokedBy: 'test-admin' });
    const refused = await stack.call('POST', `/v1/runs/${runId}/actions/a1/decision`, { token: created.token, body: { decision: 'approve' } });
    assert.equal(refused.status, 401);
    assert.match(refused.body.error.message, /revoked/);
    const page = await fetch(`${stack.api.url}/`, { headers: { cookie: session.cookie }, redirect: 'manual' });
    assert.equal(page.status, 303, 'the open session ends with the token');
    assert.match(page.headers.get('location') ?? '', /^\/sign-in/);
    assert.equal((await uiDecide(session.cookie, runId)).status, 401);

    const expired = tokens.create('carol', { roles: ['approver'], ttlMs: 1 });
    await new Promise((r) => setTimeout(r, 20));
    const late = await stack.call('GET', '/v1/whoami', { token: expired.token });
    assert.equal(late.status, 401);
    assert.match(late.body.error.message, /expired/);

    // Creating and revoking tokens is logged: who, when, for whom, which roles.
    const log = readFileSync(tokens.auditFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const events = log.filter((e) => e.tokenId === created.record.id).map((e) => [e.event, e.by, e.principal, e.roles]);
    assert.deepEqual(events, [
      ['token.created', 'test-admin', 'carol', ['approver']],
      ['token.revoked', 'test-admin', 'carol', ['approver']],
    ]);
    const still = await stack.call('GET', `/v1/runs/${runId}`, { token: agent });
    assert.equal(still.body.actions[0].status, 'awaiting_approval', 'the refused decision counted for nothing');
  });
});
