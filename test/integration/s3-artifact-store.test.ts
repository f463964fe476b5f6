/**
 * The S3 artifact store against a real S3-compatible server (SeaweedFS, built from its Go module and run on
 * loopback), and the CLI reading it: what a second host sees of outputs a sandbox host wrote.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CorruptArtifactError, InvalidArtifactKeyError } from '../../platform/artifact-store.js';
import { createArtifactStore } from '../../platform/artifact-store-config.js';
import { pruneArtifacts } from '../../platform/artifact-retention.js';
import { S3ArtifactStore } from '../../platform/s3-artifact-store.js';
import { startTestObjectStore, type TestObjectStore } from '../support/object-store.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const DAY = 24 * 60 * 60 * 1000;

// Building SeaweedFS the first time on a new machine takes minutes.
void describe('S3 artifact store (SeaweedFS)', { timeout: 1_800_000 }, () => {
  let objects: TestObjectStore;
  let store: S3ArtifactStore;
  let home: string;

  before(async () => {
    objects = await startTestObjectStore();
    home = await mkdtemp(path.join(os.tmpdir(), 'airlock-s3-'));
    const created = await createArtifactStore({ home, env: objects.env });
    assert.ok(created instanceof S3ArtifactStore);
    store = created;
  });
  after(async () => {
    store?.close();
    await objects?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  void it('stores bytes under their sha256 and reads them back verified, encrypted at rest where offered', async () => {
    const bytes = Buffer.from('col\n1\n\u0000\xff binary tail');
    const put = await store.put(bytes);
    assert.equal(put.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.deepEqual(await store.get(put.sha256), bytes);
    const head = await objects.raw.send(new HeadObjectCommand({ Bucket: objects.bucket, Key: `artifacts/${put.sha256}` }));
    assert.equal(head.ContentLength, bytes.length);
    // `auto` asked for AES256: either the server stored it encrypted, or the store now knows it does not offer it.
    if (store.encryptionInUse === 'AES256') assert.equal(head.ServerSideEncryption, 'AES256');
    else assert.equal(store.encryptionInUse, 'off');
  });

  void it('writes the same content once (idempotent) and answers undefined for an unknown key', async () => {
    const bytes = Buffer.from('written twice');
    const first = await store.put(bytes);
    const before = await objects.raw.send(new HeadObjectCommand({ Bucket: objects.bucket, Key: `artifacts/${first.sha256}` }));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    assert.deepEqual(await store.put(bytes), first);
    const again = await objects.raw.send(new HeadObjectCommand({ Bucket: objects.bucket, Key: `artifacts/${first.sha256}` }));
    assert.equal(again.LastModified?.getTime(), before.LastModified?.getTime(), 'a fresh object is not rewritten');
    assert.equal(await store.get('e'.repeat(64)), undefined);
    await assert.rejects(store.get('../secret'), InvalidArtifactKeyError);
  });

  void it('refuses an object whose bytes do not match its name', async () => {
    const { sha256 } = await store.put(Buffer.from('the real output'));
    await objects.raw.send(new PutObjectCommand({ Bucket: objects.bucket, Key: `artifacts/${sha256}`, Body: Buffer.from('a forged output') }));
    await assert.rejects(store.get(sha256), (err: unknown) => err instanceof CorruptArtifactError && err.sha256 === sha256);
  });

  void it('retention lists and deletes only artifacts under its prefix, and reports them', async () => {
    const prefixed = (await createArtifactStore({ home, env: { ...objects.env, AIRLOCK_S3_PREFIX: 'retention-test' } })) as S3ArtifactStore;
    try {
      const a = await prefixed.put(Buffer.from('retained a'));
      const b = await prefixed.put(Buffer.from('retained b, longer'));
      // Not artifacts of this store: another prefix, and a name under the prefix that is no sha256.
      const outside = await store.put(Buffer.from('belongs to another prefix'));
      await objects.raw.send(new PutObjectCommand({ Bucket: objects.bucket, Key: 'retention-test/README', Body: Buffer.from('x') }));

      const none = await pruneArtifacts(prefixed, { olderThanDays: 1 });
      assert.deepEqual(none.deleted, []);
      assert.equal(none.kept, 2);

      const dry = await pruneArtifacts(prefixed, { olderThanDays: 1, now: new Date(Date.now() + 2 * DAY), dryRun: true });
      assert.deepEqual(dry.deleted.map((x) => x.sha256).sort(), [a.sha256, b.sha256].sort());
      assert.ok(await prefixed.get(a.sha256), 'a dry run deletes nothing');

      const report = await pruneArtifacts(prefixed, { olderThanDays: 1, now: new Date(Date.now() + 2 * DAY) });
      assert.deepEqual(report.deleted.map((x) => x.sha256).sort(), [a.sha256, b.sha256].sort());
      assert.equal(report.deletedBytes, 'retained a'.length + 'retained b, longer'.length);
      assert.equal(report.location, `s3://${objects.bucket}/retention-test/`);
      assert.equal(await prefixed.get(a.sha256), undefined);
      assert.equal(await prefixed.get(b.sha256), undefined);
      assert.ok(await store.get(outside.sha256), 'another prefix is untouched');
      await objects.raw.send(new HeadObjectCommand({ Bucket: objects.bucket, Key: 'retention-test/README' }));
    } finally {
      prefixed.close();
    }
  });

  void it('`airlock artifact` reads the bucket from another host\'s point of view (nothing local), never a preview', async () => {
    const big = Buffer.from('x'.repeat(40 * 1024) + '\nend\n');
    const { sha256 } = await store.put(big);
    const emptyHome = await mkdtemp(path.join(os.tmpdir(), 'airlock-s3-cli-'));
    try {
      const env = { ...process.env, ...objects.env, AIRLOCK_HOME: emptyHome };
      const printed = await promisify(execFile)(process.execPath, [CLI, 'artifact', sha256], { env, maxBuffer: 1 << 20 });
      assert.equal(printed.stdout, big.toString('utf8'));
      const out = path.join(emptyHome, 'copy.txt');
      await promisify(execFile)(process.execPath, [CLI, 'artifact', sha256, '--out', out], { env });
      assert.deepEqual(await readFile(out), big);
      const missing = await promisify(execFile)(process.execPath, [CLI, 'artifact', 'd'.repeat(64)], { env }).catch((err: { code: number; stderr: string }) => err);
      assert.equal((missing as { code: number }).code, 4);
      assert.match((missing as { stderr: string }).stderr, new RegExp(`no artifact d{64} in s3://${objects.bucket}/artifacts/`));
    } finally {
      await rm(emptyHome, { recursive: true, force: true });
    }
  });
});
