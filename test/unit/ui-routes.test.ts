/** The web UI's HTTP behaviour (sessions, CSRF, origins, decisions) through Fastify's inject, with a fake run source. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import type { RunState } from '../../schemas/run.js';
import { ApiError } from '../../server/api-error.js';
import { tokenFilePath, TokenStore } from '../../platform/token-store.js';
import type { UiRunSource } from '../../server/ui/ui-run-source.js';
import { webUiPlugin } from '../../server/ui/web-ui-plugin.js';

const RUN: RunState = {
  runId: 'run-1',
  agent: 'agent-1',
  requester: 'alice',
  status: 'awaiting_approval',
  closed: false,
  startedAt: '2026-01-01T00:00:00Z',
  actions: [],
  ignoredDecisions: [],
};

describe('web UI routes', () => {
  let app: FastifyInstance;
  let home: string;
  let token: string;
  const decisions: unknown[] = [];

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'airlock-ui-routes-'));
    const tokens = new TokenStore(tokenFilePath(home));
    token = tokens.create('bob', { roles: ['approver'] }).token;
    const source: UiRunSource = {
      pendingApprovals: async () => ({ items: [], unresponsive: [] }),
      recentRuns: async () => [],
      getRun: async () => RUN,
      decide: async (request) => {
        decisions.push(request);
        if (request.reason === 'too late') throw new ApiError('conflict', 'the approval wait for action a1 already timed out', 'timed_out');
        return { actionId: request.actionId, status: 'approved', approvals: 1, requiredApprovals: 1 };
      },
    };
    app = Fastify();
    await app.register(webUiPlugin, {
      client: { getRun: async () => RUN, deliverSignedDecision: async () => ({ actionId: 'a1', status: 'approved', approvals: 1, requiredApprovals: 1 }) },
      signer: { sign: () => { throw new Error('the fake source decides'); } },
      tokens,
      config: { TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_NAMESPACE: 'default', AIRLOCK_TASK_QUEUE: 'airlock' },
      source,
    });
  });

  after(async () => {
    await app.close();
    await rm(home, { recursive: true, force: true });
  });

  async function signedIn(): Promise<{ cookie: string; csrf: string }> {
    const response = await app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'airlock.test', origin: 'http://airlock.test' },
      payload: new URLSearchParams({ token, next: '/runs/run-1' }).toString(),
    });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/runs/run-1');
    const cookie = String(response.headers['set-cookie']).split(';')[0] as string;
    const page = await app.inject({ method: 'GET', url: '/', headers: { cookie } });
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page.body)?.[1];
    assert.ok(csrf, 'the page carries its CSRF token');
    return { cookie, csrf };
  }

  it('sends visitors without a session to sign in, and answers live endpoints with 401', async () => {
    const page = await app.inject({ method: 'GET', url: '/runs/run-1' });
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, '/sign-in?next=%2Fruns%2Frun-1');
    const live = await app.inject({ method: 'GET', url: '/ui/live/pending' });
    assert.equal(live.statusCode, 401);
  });

  it('refuses a sign-in posted from another site, and never redirects off-site after sign-in', async () => {
    const foreign = await app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'airlock.test', origin: 'https://evil.example' },
      payload: new URLSearchParams({ token }).toString(),
    });
    assert.equal(foreign.statusCode, 403);
    assert.equal(foreign.headers['set-cookie'], undefined);
    const offSite = await app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token, next: '//evil.example/' }).toString(),
    });
    assert.equal(offSite.headers.location, '/');
  });

  it('sets a strict content security policy on pages', async () => {
    const page = await app.inject({ method: 'GET', url: '/sign-in' });
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    assert.equal(page.headers['x-frame-options'], 'DENY');
  });

  it('decides only with the session’s CSRF token, as the signed-in principal on the ui channel', async () => {
    const { cookie, csrf } = await signedIn();
    const url = '/runs/run-1/actions/a1/decision';
    const form = { 'content-type': 'application/x-www-form-urlencoded', cookie, accept: 'application/json' };
    const forged = await app.inject({ method: 'POST', url, headers: form, payload: 'decision=approve&approver=mallory' });
    assert.equal(forged.statusCode, 403);
    assert.equal(decisions.length, 0);

    const ok = await app.inject({ method: 'POST', url, headers: { ...form, 'x-csrf-token': csrf }, payload: 'decision=approve&approver=mallory' });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { ok: true, message: 'Approved: the action runs now.', outcome: { actionId: 'a1', status: 'approved', approvals: 1, requiredApprovals: 1 } });
    assert.deepEqual(decisions.at(-1), { runId: 'run-1', actionId: 'a1', decision: 'approve', approver: 'bob' }, 'the approver is the session, never a form field');

    const refused = await app.inject({ method: 'POST', url, headers: { ...form, 'x-csrf-token': csrf }, payload: 'decision=approve&reason=too+late' });
    assert.deepEqual(refused.json(), { ok: false, error: { message: 'the approval wait for action a1 already timed out', reason: 'timed_out' } });

    // Without JavaScript the form posts the token as a field and lands back on the run page.
    const plain = await app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      payload: new URLSearchParams({ csrf, decision: 'deny', reason: 'not needed' }).toString(),
    });
    assert.equal(plain.statusCode, 303);
    assert.equal(plain.headers.location, '/runs/run-1#action-a1');
    assert.deepEqual(decisions.at(-1), { runId: 'run-1', actionId: 'a1', decision: 'deny', approver: 'bob', reason: 'not needed' });
  });
});
