import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { TokenStore } from '../../platform/token-store.js';

const MODULE = fileURLToPath(new URL('../../platform/token-store.js', import.meta.url));
const PARALLEL = 20;

void describe('token store under concurrent writers', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'airlock-tokens-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it(`keeps every token when ${PARALLEL} processes create one at the same time`, async () => {
    const file = path.join(dir, 'tokens.json');
    const script = `const { TokenStore } = await import(${JSON.stringify(MODULE)}); const store = new TokenStore(${JSON.stringify(file)}); const { record } = store.create(process.argv[1], { roles: ['agent'] }); console.log(record.id);`;
    const ids = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        new Promise<string>((resolve, reject) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', script, `agent-${i}`], { stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          let err = '';
          child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
          child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
          child.once('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`creator ${i} exited ${code}: ${err}`))));
        }),
      ),
    );
    const stored = new TokenStore(file).list();
    assert.equal(stored.length, PARALLEL, 'no creation was lost');
    assert.deepEqual(new Set(stored.map((t) => t.id)), new Set(ids));
    assert.deepEqual(new Set(stored.map((t) => t.principal)), new Set(Array.from({ length: PARALLEL }, (_, i) => `agent-${i}`)));
    // Neither the lock nor a temporary file is left behind.
    assert.deepEqual((await readdir(dir)).sort(), ['token-audit.jsonl', 'tokens.json']);
  });

  void it('revokes under the same lock and logs the revocation once', () => {
    const store = new TokenStore(path.join(dir, 'revoke.json'));
    const { record } = store.create('agent-x', { roles: ['agent'] });
    assert.ok(store.revoke(record.id)?.revokedAt);
    const again = store.revoke(record.id);
    assert.equal(again?.revokedAt, store.list()[0]!.revokedAt);
    assert.equal(store.revoke('nope'), undefined);
  });
});
