import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findFreePort } from '../dev-stack/port-check.js';
import { startManagedProcess, waitUntilReadyOrStop, type ManagedProcess } from './managed-process.js';

const LOOPBACK = '127.0.0.1';
const READY_TIMEOUT_MS = 90_000;

/** A running SeaweedFS (master, volume, filer and S3 gateway in one process) on loopback ports. */
export interface SeaweedfsServer {
  /** The S3 endpoint, `http://127.0.0.1:PORT`. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Starts SeaweedFS as a local S3-compatible object store for tests and the production topology: every port on
 * loopback and picked free (several instances can run side by side), one access key with admin rights, its
 * phone-home statistics off, data under `dataDir`. Resolves once the S3 gateway answers.
 */
export async function startSeaweedfs(options: { weedPath: string; dataDir: string }): Promise<SeaweedfsServer> {
  await mkdir(options.dataDir, { recursive: true });
  const port = async () => String(await findFreePort(LOOPBACK));
  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc] = await Promise.all(Array.from({ length: 8 }, port));
  const accessKeyId = `airlock${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(24).toString('hex');
  const s3Config = path.join(options.dataDir, 's3-identities.json');
  await writeFile(
    s3Config,
    JSON.stringify({ identities: [{ name: 'airlock', credentials: [{ accessKey: accessKeyId, secretKey: secretAccessKey }], actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'] }] }),
    { mode: 0o600 },
  );
  const args = [
    // glog writes its files into the temporary folder unless told otherwise; keep them with the data.
    `-logdir=${options.dataDir}`,
    'server',
    `-ip=${LOOPBACK}`,
    `-ip.bind=${LOOPBACK}`,
    `-dir=${options.dataDir}`,
    `-master.port=${master}`,
    `-master.port.grpc=${masterGrpc}`,
    // No anonymous usage reports: nothing here may talk to the outside.
    '-master.telemetry=false',
    '-master.telemetry.url=http://127.0.0.1:9/',
    '-master.volumeSizeLimitMB=64',
    '-volume.max=32',
    `-volume.port=${volume}`,
    `-volume.port.grpc=${volumeGrpc}`,
    '-filer',
    `-filer.port=${filer}`,
    `-filer.port.grpc=${filerGrpc}`,
    '-s3',
    `-s3.port=${s3}`,
    `-s3.port.grpc=${s3Grpc}`,
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
    `-s3.config=${s3Config}`,
  ];
  const child = startManagedProcess({ name: 'SeaweedFS', command: options.weedPath, args, cwd: options.dataDir, logFile: path.join(options.dataDir, 'weed.log') });
  const endpoint = `http://${LOOPBACK}:${s3}`;
  // Any HTTP answer from the S3 port (an "access denied" included) means the gateway is up.
  await waitUntilReadyOrStop(child, async () => (await fetch(endpoint, { signal: AbortSignal.timeout(2_000) })).status > 0, READY_TIMEOUT_MS);
  return { endpoint, accessKeyId, secretAccessKey, process: child, stop: () => child.stop() };
}
