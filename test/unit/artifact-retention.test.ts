import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileArtifactStore } from '../../platform/artifact-store.js';
import { pruneArtifacts } from '../../platform/artifact-retention.js';

const DAY = 24 * 60 * 60 * 1000;

void describe('artifact retention', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'airlock-retention-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function aged(store: FileArtifactStore, text: string, daysAgo: number): Promise<string> {
    const { sha256 } = await store.put(Buffer.from(text));
    const at = new Date(Date.now() - daysAgo * DAY);
    await utimes(path.join(store.dir, sha256), at, at);
    return sha256;
  }

  void it('deletes only artifacts last written before the cutoff and reports each one', async () => {
    const store = new FileArtifactStore(path.join(dir, 'a'));
    const old = await aged(store, 'old output', 40);
    const older = await aged(store, 'older output!', 90);
    const young = await aged(store, 'recent output', 2);
    const report = await pruneArtifacts(store, { olderThanDays: 30 });
    assert.deepEqual(report.deleted.map((a) => a.sha256).sort(), [old, older].sort());
    assert.equal(report.deletedBytes, 'old output'.length + 'older output!'.length);
    assert.equal(report.kept, 1);
    assert.equal(await store.get(old), undefined);
    assert.equal(await store.get(older), undefined);
    assert.deepEqual(await store.get(young), Buffer.from('recent output'));
  });

  void it('keeps an old artifact that a recent run produced again', async () => {
    const store = new FileArtifactStore(path.join(dir, 'b'));
    const sha = await aged(store, 'same bytes every day', 45);
    // A new run writes the same content: content addressing makes that a refresh, not a second copy.
    await store.put(Buffer.from('same bytes every day'));
    const report = await pruneArtifacts(store, { olderThanDays: 30 });
    assert.deepEqual(report.deleted, []);
    assert.deepEqual(await store.get(sha), Buffer.from('same bytes every day'));
  });

  void it('lists on a dry run without deleting, and ignores files that are not artifacts', async () => {
    const store = new FileArtifactStore(path.join(dir, 'c'));
    const sha = await aged(store, 'kept on a dry run', 10);
    await writeFile(path.join(store.dir, '.tmp-half-written'), 'x');
    await writeFile(path.join(store.dir, 'notes.txt'), 'x');
    const report = await pruneArtifacts(store, { olderThanDays: 5, dryRun: true });
    assert.deepEqual(report.deleted.map((a) => a.sha256), [sha]);
    assert.equal(report.dryRun, true);
    assert.ok(await store.get(sha));
  });

  void it('refuses a retention that is not a positive number of days', async () => {
    const store = new FileArtifactStore(path.join(dir, 'd'));
    await assert.rejects(pruneArtifacts(store, { olderThanDays: 0 }), /positive number of days/);
    await assert.rejects(pruneArtifacts(store, { olderThanDays: Number.NaN }), /positive number of days/);
  });

  void it('treats a missing folder as an empty store', async () => {
    const report = await pruneArtifacts(new FileArtifactStore(path.join(dir, 'never-created')), { olderThanDays: 1 });
    assert.deepEqual(report.deleted, []);
    assert.equal(report.kept, 0);
  });
});
