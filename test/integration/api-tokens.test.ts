/**
 * Creating and revoking tokens is an admin act over the API too (`POST /v1/tokens`, `GET /v1/tokens`,
 * `DELETE /v1/tokens/{id}`): every other role gets 403, a created token works on its next request, a revoked one is
 * refused with 401 on its next request, and each act is logged with who, when, for whom and which roles.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { tokenFilePath, TokenStore } from '../../platform/token-store.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';

const policy = () => `principals:
  - { id: ann, roles: [admin] }
  - { id: dana, roles: [approver] }
  - { id: svc-a, roles: [developer] }
  - { id: bob, roles: [approver] }
  - { id: vera, roles: [developer] }
`;

void describe('token administration over the API', () => {
  let stack: ApiStack;
  let admin: string;
  before(async () => {
    stack = await startApiStack({ policy });
    admin = stack.tokenFor('ann', ['admin']);
  });
  after(async () => {
    await stack?.stop();
  });

  void it('gives agent, approver and viewer tokens 403 on every token route', async () => {
    for (const [principal, role] of [['svc-a', 'agent'], ['bob', 'approver'], ['vera', 'viewer']] as const) {
      const token = stack.tokenFor(principal, [role]);
      const created = await stack.call('POST', '/v1/tokens', { token, body: { principal, roles: ['admin'] } });
      assert.equal(created.status, 403, `${role} may not create tokens`);
      assert.match(created.body.error.message, /createToken needs the role admin/);
      assert.equal((await stack.call('GET', '/v1/tokens', { token })).status, 403, `${role} may not list tokens`);
      const own = (await stack.call('GET', '/v1/whoami', { token })).body.tokenId as string;
      assert.equal((await stack.call('DELETE', `/v1/tokens/${own}`, { token })).status, 403, `${role} may not revoke tokens`);
    }
    assert.equal((await stack.call('POST', '/v1/tokens', { body: { principal: 'dana' } })).status, 401, 'no token at all is 401');
  });

  void it('creates a token that works at once, lists it without secrets, and revokes it with 401 on the next request', async () => {
    const created = await stack.call('POST', '/v1/tokens', { token: admin, body: { principal: 'dana', roles: ['approver'], expiresIn: '2d' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.token, /^alk_/);
    assert.equal(created.body.status, 'active');
    assert.equal(created.body.createdBy, 'api:ann');
    const lifeMs = Date.parse(created.body.expiresAt) - Date.parse(created.body.createdAt);
    assert.equal(lifeMs, 2 * 86_400_000);

    const whoami = await stack.call('GET', '/v1/whoami', { token: created.body.token });
    assert.equal(whoami.status, 200, 'the new token works on its first request');
    assert.deepEqual([whoami.body.principal, whoami.body.roles], ['dana', ['approver']]);

    const listed = await stack.call('GET', '/v1/tokens', { token: admin });
    assert.equal(listed.status, 200);
    const row = listed.body.tokens.find((t: { id: string }) => t.id === created.body.id);
    assert.deepEqual([row.principal, row.roles, row.status], ['dana', ['approver'], 'active']);
    const text = JSON.stringify(listed.body);
    assert.ok(!text.includes(created.body.token) && !/sha256|alk_/.test(text), 'the listing holds no token and no hash');

    const revoked = await stack.call('DELETE', `/v1/tokens/${created.body.id}`, { token: admin });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.equal(revoked.body.status, 'revoked');
    const refused = await stack.call('GET', '/v1/whoami', { token: created.body.token });
    assert.equal(refused.status, 401, 'refused on the very next request');
    assert.match(refused.body.error.message, /revoked/);

    const log = readFileSync(new TokenStore(tokenFilePath(stack.home)).auditFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const adminTokenId = (await stack.call('GET', '/v1/whoami', { token: admin })).body.tokenId;
    const events = log.filter((e) => e.tokenId === created.body.id);
    assert.deepEqual(
      events.map((e) => [e.event, e.by, e.channel, e.actorTokenId, e.principal, e.roles]),
      [
        ['token.created', 'api:ann', 'api', adminTokenId, 'dana', ['approver']],
        ['token.revoked', 'api:ann', 'api', adminTokenId, 'dana', ['approver']],
      ],
    );
    assert.ok(events.every((e) => typeof e.at === 'string' && !Number.isNaN(Date.parse(e.at as string))), 'each entry says when');
  });

  void it('defaults to an agent token, and refuses bad requests with a reason', async () => {
    const plain = await stack.call('POST', '/v1/tokens', { token: admin, body: { principal: 'svc-a' } });
    assert.equal(plain.status, 201);
    assert.deepEqual(plain.body.roles, ['agent'], 'least privilege unless the admin says otherwise');

    const outsider = await stack.call('POST', '/v1/tokens', { token: admin, body: { principal: 'mallory', roles: ['approver'] } });
    assert.equal(outsider.status, 400);
    assert.match(outsider.body.error.message, /mallory is not a principal of the policy/);
    const badRole = await stack.call('POST', '/v1/tokens', { token: admin, body: { principal: 'dana', roles: ['root'] } });
    assert.equal(badRole.status, 400);
    assert.match(badRole.body.error.message, /unknown role "root"/);
    const tooLong = await stack.call('POST', '/v1/tokens', { token: admin, body: { principal: 'dana', expiresIn: '400d' } });
    assert.equal(tooLong.status, 400);
    assert.match(tooLong.body.error.message, /at most 365d/);
    assert.equal((await stack.call('DELETE', '/v1/tokens/000000000000', { token: admin })).status, 404);
    assert.equal((await stack.call('DELETE', '/v1/tokens/not-an-id', { token: admin })).status, 400);
  });

  void it('documents the three operations, admin only, in the OpenAPI document', async () => {
    const doc = (await stack.call('GET', '/v1/openapi.json')).body;
    assert.equal(doc.paths['/v1/tokens'].post.operationId, 'createToken');
    assert.equal(doc.paths['/v1/tokens'].get.operationId, 'listTokens');
    assert.equal(doc.paths['/v1/tokens/{tokenId}'].delete.operationId, 'revokeToken');
    for (const op of [doc.paths['/v1/tokens'].post, doc.paths['/v1/tokens'].get, doc.paths['/v1/tokens/{tokenId}'].delete]) {
      assert.ok(op.responses['403'] && op.responses['401'], `${op.operationId} documents 401 and 403`);
      assert.match(op.summary, /role: admin/);
    }
  });
});
