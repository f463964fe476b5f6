/** `airlock token create`: the compiled CLI prints a token once, stores only its hash, and the API accepts it. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { tokenFilePath, TokenStore } from '../../platform/token-store.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const run = promisify(execFile);

async function airlock(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('airlock token', () => {
  it('prints a new token once, stores only its sha256, and refuses principals the policy does not know', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'airlock-token-'));
    const policy = path.join(home, 'policy.yaml');
    writeFileSync(policy, 'principals:\n  - { id: bob, roles: [approver] }\n');
    const env = { ...process.env, AIRLOCK_HOME: home, AIRLOCK_POLICY: policy };

    const created = await airlock(['token', 'create', '--as', 'bob'], env);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^alk_[\w-]+$/);
    assert.match(created.stderr, /shown once/);
    const stored = readFileSync(tokenFilePath(home), 'utf8');
    assert.equal(stored.includes(token), false);
    assert.ok(stored.includes(createHash('sha256').update(token).digest('hex')));
    assert.equal(new TokenStore(tokenFilePath(home)).principalFor(token)?.principal, 'bob');

    const stranger = await airlock(['token', 'create', '--as', 'mallory'], env);
    assert.equal(stranger.code, 2);
    assert.match(stranger.stderr, /mallory is not a principal of the policy/);
    const missing = await airlock(['token', 'create'], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--as PRINCIPAL is required/);
  });
});
