/**
 * GET /v1/artifacts/{sha256} is authorised like the run that produced the artifact: an agent names one of its own
 * runs and gets only that run's outputs; readers may read any artifact. A sha256 alone is never enough for an agent.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { RunNotFoundError } from '../../client/errors.js';
import { createLogger } from '../../platform/logger.js';
import { TokenStore } from '../../platform/token-store.js';
import type { RunState } from '../../schemas/run.js';
import { buildHttpServer, type ApiClient } from '../../server/http-server.js';
import { RateLimiter } from '../../server/rate-limiter.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const REPORT = 'the report of alice\n';
const STDOUT = 'done\n';
const OTHER_REPORT = 'the report of mallory\n';

/** Only the fields the route reads: the requester and the hashes in each action's result. */
function runOf(runId: string, requester: string, outputs: { stdout: string; files: string[] }): RunState {
  const captured = (text: string) => ({ text, bytes: text.length, sha256: sha(text), truncated: false, inlineComplete: true });
  return {
    runId,
    agent: 'agent-x',
    requester,
    status: 'completed',
    closed: true,
    startedAt: new Date(0).toISOString(),
    ignoredDecisions: [],
    actions: [{ actionId: 'a1', result: { stdout: captured(outputs.stdout), stderr: captured(''), outputFiles: outputs.files.map((file) => ({ path: 'out.txt', bytes: file.length, sha256: sha(file), preview: file })) } }],
  } as unknown as RunState;
}

void describe('artifact route authorisation', () => {
  let app: FastifyInstance;
  let home: string;
  const tokens: Record<string, string> = {};
  const runs = new Map([
    ['run-alice', runOf('run-alice', 'alice', { stdout: STDOUT, files: [REPORT] })],
    ['run-mallory', runOf('run-mallory', 'mallory', { stdout: STDOUT, files: [OTHER_REPORT] })],
  ]);
  const stored = new Map([REPORT, STDOUT, OTHER_REPORT, ''].map((text) => [sha(text), Buffer.from(text)]));

  before(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'airlock-artifact-auth-'));
    const store = new TokenStore(path.join(home, 'tokens.json'));
    tokens.alice = store.create('alice', { roles: ['agent'] }).token;
    tokens.mallory = store.create('mallory', { roles: ['agent'] }).token;
    tokens.viewer = store.create('vera', { roles: ['viewer'] }).token;
    const client = {
      getRun: async (runId: string) => {
        const run = runs.get(runId);
        if (!run) throw new RunNotFoundError(runId);
        return run;
      },
    } as unknown as ApiClient;
    app = buildHttpServer({
      client,
      tokens: store,
      signer: { sign: () => assert.fail('no decision is made here') },
      rateLimiter: new RateLimiter(10_000),
      logger: createLogger({ level: 'silent' }),
      artifacts: { get: async (key) => stored.get(key) },
    });
  });
  after(async () => {
    await app.close();
    rmSync(home, { recursive: true, force: true });
  });

  const get = async (token: string, sha256: string, runId?: string) => {
    const query = runId !== undefined ? `?runId=${encodeURIComponent(runId)}` : '';
    const response = await app.inject({ method: 'GET', url: `/v1/artifacts/${sha256}${query}`, headers: { authorization: `Bearer ${token}` } });
    return { status: response.statusCode, body: response.json() as { content?: string; error?: { code: string; message: string } } };
  };

  void it('serves an agent the output file and stdout of its own run', async () => {
    const file = await get(tokens.alice!, sha(REPORT), 'run-alice');
    assert.equal(file.status, 200);
    assert.equal(file.body.content, REPORT);
    const stdout = await get(tokens.alice!, sha(STDOUT), 'run-alice');
    assert.equal(stdout.body.content, STDOUT);
  });

  void it('refuses an agent that names no run, even for a sha256 it knows', async () => {
    const refused = await get(tokens.mallory!, sha(REPORT));
    assert.equal(refused.status, 403);
    assert.match(refused.body.error!.message, /runId/);
  });

  void it("refuses an agent that names another agent's run", async () => {
    const refused = await get(tokens.mallory!, sha(REPORT), 'run-alice');
    assert.equal(refused.status, 403);
    assert.match(refused.body.error!.message, /belongs to alice/);
  });

  void it('does not let an agent reach another run’s artifact through its own run', async () => {
    const refused = await get(tokens.mallory!, sha(REPORT), 'run-mallory');
    assert.equal(refused.status, 404);
    assert.match(refused.body.error!.message, /run run-mallory produced no artifact/);
    // The bytes stayed out of the answer.
    assert.equal(refused.body.content, undefined);
  });

  void it('answers 404 for a run that does not exist', async () => {
    assert.equal((await get(tokens.alice!, sha(REPORT), 'run-nobody')).status, 404);
  });

  void it('lets a reader fetch any artifact, with or without the run', async () => {
    assert.equal((await get(tokens.viewer!, sha(OTHER_REPORT))).body.content, OTHER_REPORT);
    assert.equal((await get(tokens.viewer!, sha(REPORT), 'run-alice')).body.content, REPORT);
    assert.equal((await get(tokens.viewer!, sha(REPORT), 'run-mallory')).status, 404);
  });

  void it('refuses bad input before looking anything up', async () => {
    assert.equal((await get(tokens.alice!, 'not-a-sha', 'run-alice')).status, 400);
    const response = await app.inject({ method: 'GET', url: `/v1/artifacts/${sha(REPORT)}?runId=run-alice&other=1`, headers: { authorization: `Bearer ${tokens.alice}` } });
    assert.equal(response.statusCode, 400);
  });
});
