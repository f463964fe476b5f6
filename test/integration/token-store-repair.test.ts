/**
 * A damaged token file (cut short, as a crash or a full disk leaves it) makes the API answer 503 with what is wrong
 * and how to fix it, never a stream of 500s; `airlock token repair` keeps every readable token, sets the damaged
 * file aside, and the API answers again without a restart.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../platform/logger.js';
import { tokenFilePath, TokenStore } from '../../platform/token-store.js';
import { startApiServer, type ApiServer } from '../../server/start-api-server.js';
import { runCli } from '../support/cli.js';
import { testConfig } from '../support/temporal.js';

void describe('a damaged token file', () => {
  let home: string;
  let api: ApiServer;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'airlock-token-repair-'));
    const policyFile = path.join(home, 'airlock.policy.yaml');
    writeFileSync(policyFile, 'principals:\n  - { id: ann, roles: [admin] }\n  - { id: dana, roles: [approver] }\n');
    env = { ...process.env, AIRLOCK_HOME: home, AIRLOCK_POLICY: policyFile, AIRLOCK_HTTP_PORT: '0', AIRLOCK_HTTP_HOST: '127.0.0.1' };
    api = await startApiServer({ config: testConfig({ AIRLOCK_HOME: home }), logger: createLogger({ level: 'silent', name: 'token-repair-test' }), env });
  });
  after(async () => {
    await api?.close();
    rmSync(home, { recursive: true, force: true });
  });

  const whoami = async (token: string) => {
    const response = await fetch(`${api.url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as { principal?: string; error?: { code: string; message: string; reason?: string } } };
  };

  void it('gives 503 with the way out, and is repaired by `airlock token repair` keeping every readable token', async () => {
    const file = tokenFilePath(home);
    const store = new TokenStore(file);
    const ann = store.create('ann', { roles: ['admin'] }).token;
    const dana = store.create('dana', { roles: ['approver'] }).token;
    assert.equal((await whoami(ann)).status, 200);

    // Cut the file in the middle of its second record.
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, text.lastIndexOf('"sha256"')));

    for (const token of [ann, dana, ann]) {
      const refused = await whoami(token);
      assert.equal(refused.status, 503, 'unavailable, not an internal error');
      assert.equal(refused.body.error?.reason, 'token_store_unusable');
      assert.match(refused.body.error?.message ?? '', /airlock token repair/);
      assert.ok(!(refused.body.error?.message ?? '').includes(home), 'the file path stays in the server log');
    }
    const listed = await runCli(['token', 'list'], env);
    assert.notEqual(listed.code, 0);
    assert.match(listed.stderr, new RegExp(`token file ${file} is unusable: not valid JSON\\. Run \`airlock token repair\``));

    const repaired = await runCli(['token', 'repair'], env);
    assert.equal(repaired.code, 0, repaired.stderr);
    assert.match(repaired.stdout, /repaired: kept 1 token\(s\), 1 could not be read; the damaged file is at .*tokens\.json\.damaged-/);
    const setAside = /the damaged file is at (\S+)\.\n/.exec(repaired.stdout)?.[1];
    assert.ok(setAside && existsSync(setAside), 'the damaged file is kept');

    // No restart: the first token works again, the lost one is refused as unknown.
    assert.deepEqual([(await whoami(ann)).status, (await whoami(ann)).body.principal], [200, 'ann']);
    assert.equal((await whoami(dana)).status, 401);
    const audit = readFileSync(store.auditFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { event: string; unreadable?: number });
    assert.deepEqual(audit.at(-1)?.event, 'token.store-repaired');

    const again = await runCli(['token', 'repair'], env);
    assert.match(again.stdout, /is readable \(1 token\(s\)\); nothing to repair/);
  });
});
