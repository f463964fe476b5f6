import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CorruptArtifactError, FileArtifactStore, InvalidArtifactKeyError } from '../../platform/artifact-store.js';

void describe('FileArtifactStore', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'airlock-artifacts-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it('round-trips bytes under their sha256', async () => {
    const store = new FileArtifactStore(path.join(dir, 'a'));
    const bytes = Buffer.from('some output\n\u0000\xff');
    const put = await store.put(bytes);
    assert.equal(put.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(put.bytes, bytes.length);
    assert.deepEqual(await store.get(put.sha256), bytes);
    assert.deepEqual(await store.put(bytes), put, 'storing twice is idempotent');
    assert.deepEqual(await readdir(path.join(dir, 'a')), [put.sha256], 'no temp files left behind');
  });

  void it('stores empty output', async () => {
    const store = new FileArtifactStore(path.join(dir, 'b'));
    const put = await store.put(Buffer.alloc(0));
    assert.equal((await store.get(put.sha256))?.length, 0);
  });

  void it('returns undefined for an unknown hash', async () => {
    const store = new FileArtifactStore(path.join(dir, 'c'));
    assert.equal(await store.get('0'.repeat(64)), undefined);
  });

  void it('refuses keys that are not a sha256 before touching the filesystem', async () => {
    const store = new FileArtifactStore(path.join(dir, 'd'));
    for (const key of ['../etc/passwd', 'A'.repeat(64), 'a'.repeat(63), '', `${'a'.repeat(64)}/x`]) {
      await assert.rejects(store.get(key), InvalidArtifactKeyError);
    }
  });

  void it('detects an artifact whose content no longer matches its hash', async () => {
    const store = new FileArtifactStore(path.join(dir, 'e'));
    const put = await store.put(Buffer.from('original'));
    await writeFile(path.join(dir, 'e', put.sha256), 'tampered');
    await assert.rejects(store.get(put.sha256), CorruptArtifactError);
  });
});
