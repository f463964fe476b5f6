/** `airlock artifact <sha256>`: the compiled CLI reading the artifact store under AIRLOCK_HOME. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { FileArtifactStore } from '../../platform/artifact-store.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

void describe('airlock artifact', () => {
  let home: string;
  let store: FileArtifactStore;

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, AIRLOCK_HOME: home } });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const failed = err as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'airlock-artifact-cli-'));
    store = new FileArtifactStore(path.join(home, 'artifacts'));
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  void it('prints a text artifact exactly', async () => {
    const { sha256 } = await store.put(Buffer.from('a,b\n1,2\n'));
    assert.deepEqual(await cli(['artifact', sha256]), { code: 0, stdout: 'a,b\n1,2\n', stderr: '' });
  });

  void it('writes a binary artifact only to a file, byte for byte', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80]);
    const { sha256 } = await store.put(bytes);
    const refused = await cli(['artifact', sha256]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /is binary \(4 bytes\): write it to a file with --out FILE/);
    const target = path.join(home, 'out.bin');
    assert.equal((await cli(['artifact', sha256, '--out', target])).code, 0);
    assert.deepEqual(await readFile(target), bytes);
  });

  void it('says clearly when the artifact is unknown or the key is not a sha256', async () => {
    const missing = await cli(['artifact', 'a'.repeat(64)]);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /no artifact a{64} in /);
    const invalid = await cli(['artifact', '../../etc/passwd']);
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /64 lowercase hex characters/);
  });
});
