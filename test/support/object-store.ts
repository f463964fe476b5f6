import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildCacheDir } from '../../workers/setup/build-cache.js';
import { ensureSeaweedfs } from '../../workers/setup/ensure-seaweedfs.js';
import { createStderrProgress } from '../../workers/setup/progress.js';
import { startSeaweedfs, type SeaweedfsServer } from '../../workers/production-stack/seaweedfs-server.js';

/** A private SeaweedFS with one bucket, and the environment that points Airlock's S3 store at it. */
export interface TestObjectStore {
  server: SeaweedfsServer;
  bucket: string;
  /** AIRLOCK_ARTIFACT_STORE=s3 and the rest, for processes and createArtifactStore. */
  env: Record<string, string>;
  /** A raw client on the same server, to look behind the store's back (tampering, encryption headers). */
  raw: S3Client;
  stop(): Promise<void>;
}

/** Builds SeaweedFS if this machine has none yet (minutes, once), starts it, and creates a bucket. */
export async function startTestObjectStore(options: { prefix?: string } = {}): Promise<TestObjectStore> {
  const weedPath = await ensureSeaweedfs({ binDir: buildCacheDir(), onProgress: createStderrProgress() });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-seaweedfs-'));
  const server = await startSeaweedfs({ weedPath, dataDir });
  const bucket = 'airlock-artifacts';
  const raw = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  // The gateway answers before the filer and volume server have joined, and the first object of a bucket waits for
  // its volumes to be allocated: retry both until a write goes through.
  for (let attempt = 0; ; attempt += 1) {
    try {
      await raw.send(new CreateBucketCommand({ Bucket: bucket }));
      break;
    } catch (err) {
      if ((err as Error).name === 'BucketAlreadyOwnedByYou' || (err as Error).name === 'BucketAlreadyExists') break;
      if (attempt >= 60) throw err;
      await sleep(500);
    }
  }
  for (let attempt = 0; ; attempt += 1) {
    try {
      await raw.send(new PutObjectCommand({ Bucket: bucket, Key: 'ready-check', Body: Buffer.from('ready') }));
      await raw.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'ready-check' }));
      break;
    } catch (err) {
      if (attempt >= 120) throw err;
      await sleep(500);
    }
  }
  const env = {
    AIRLOCK_ARTIFACT_STORE: 's3',
    AIRLOCK_S3_BUCKET: bucket,
    AIRLOCK_S3_PREFIX: options.prefix ?? 'artifacts/',
    AIRLOCK_S3_ENDPOINT: server.endpoint,
    AIRLOCK_S3_ACCESS_KEY_ID: server.accessKeyId,
    AIRLOCK_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
  };
  return {
    server,
    bucket,
    env,
    raw,
    async stop() {
      raw.destroy();
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
