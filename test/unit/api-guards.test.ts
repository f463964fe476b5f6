import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { buildListQuery } from '../../client/list-query.js';
import type { RiskLevel } from '../../schemas/risk.js';
import { buildOpenApiDocument } from '../../server/openapi.js';
import { RateLimiter } from '../../server/rate-limiter.js';
import { ReplayGuard } from '../../server/slack/replay-guard.js';
import { TokenStore } from '../../platform/token-store.js';
import { openApiProblems } from '../support/openapi-check.js';

describe('API guards', () => {
  it('stores only the hash of a token and finds its principal', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'airlock-tokens-')), 'tokens.json');
    const store = new TokenStore(file);
    const { token, record } = store.create('bob', { roles: ['approver'] });
    assert.match(token, /^alk_[\w-]{40,}$/);
    assert.equal(readFileSync(file, 'utf8').includes(token), false, 'the token itself is never written');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(new TokenStore(file).principalFor(token)?.principal, 'bob');
    assert.equal(store.principalFor(`${token}x`), undefined);
    assert.equal(store.principalFor(record.sha256), undefined, 'the stored hash is not a token');
  });

  it('rate-limits per key and refills over time', () => {
    let now = 0;
    const limiter = new RateLimiter(2, () => now);
    assert.deepEqual([limiter.take('a').allowed, limiter.take('a').allowed, limiter.take('a').allowed], [true, true, false]);
    assert.equal(limiter.take('b').allowed, true);
    now += 30_000;
    assert.equal(limiter.take('a').allowed, true);
  });

  it('sees a Slack signature once within the window', () => {
    let now = 0;
    const guard = new ReplayGuard(300_000, () => now);
    assert.equal(guard.firstSeen('v0=a'), true);
    assert.equal(guard.firstSeen('v0=a'), false);
    now += 300_001;
    assert.equal(guard.firstSeen('v0=a'), true);
  });

  it('generates an OpenAPI document the structural check accepts, and the check catches mistakes', () => {
    const doc = buildOpenApiDocument();
    assert.deepEqual(openApiProblems(doc), []);
    const broken = structuredClone(doc) as { openapi: string; paths: Record<string, Record<string, { parameters: unknown[]; responses: object }>> };
    broken.openapi = '2.0';
    broken.paths['/v1/runs/{runId}']!.get!.parameters = [];
    broken.paths['/v1/runs']!.get!.responses = {};
    assert.equal(openApiProblems(broken).length, 3);
  });

  it('filters listings by risk in the visibility query, refusing unknown levels', () => {
    assert.match(buildListQuery({ risk: 'high', agent: 'a1' }), /AirlockAgent = 'a1' AND AirlockRisk = 'high'/);
    assert.throws(() => buildListQuery({ risk: "high' OR 1=1" as RiskLevel }), /unknown risk level/);
  });
});
