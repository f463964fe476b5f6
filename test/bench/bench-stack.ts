/**
 * What every suite runs against: a private Temporal dev server (or TEMPORAL_ADDRESS), the sandbox image, and
 * Airlock's workers in a child process started per suite with that suite's policy and task queue.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import type Docker from 'dockerode';
import { AirlockClient } from '../../client/sdk.js';
import { loadConfig, type AirlockConfig } from '../../platform/config.js';
import { LABELS } from '../../sandbox/labels.js';
import { removeContainerPatiently } from '../../sandbox/remove-container.js';
import { ensureSigningKey } from '../../server/decision-signer.js';
import { findFreePort } from '../../workers/dev-stack/port-check.js';
import { startDevServer, type DevServer } from '../../workers/dev-stack/temporal-dev-server.js';
import { ensurePrerequisites } from '../../workers/setup/ensure-prerequisites.js';
import type { ProgressReporter } from '../../workers/setup/progress.js';
import { startWorkerChild, type WorkerChild } from './worker-child.js';

export interface SuiteStack {
  config: AirlockConfig;
  /** Today's SDK, bound to the suite's task queue. */
  sdk: AirlockClient;
  /** The plain Temporal client, for histories and signed decisions. */
  temporal: Client;
  workers: WorkerChild;
  close(): Promise<void>;
}

export interface BenchStack {
  home: string;
  image: string;
  address: string;
  /** Starts workers on their own task queue; `policyFile` replaces the default policy for them. */
  startSuite(name: string, options?: { policyFile?: string }): Promise<SuiteStack>;
  close(): Promise<void>;
}

/** Worker instance ids holding a lease under this home (sandbox/worker-instance.ts writes `<id>.lease`). */
async function leaseHolders(home: string): Promise<string[]> {
  const files = await readdir(path.join(home, 'workers')).catch(() => [] as string[]);
  return files.filter((f) => f.endsWith('.lease')).map((f) => f.slice(0, -'.lease'.length));
}

/**
 * Removes what a stopped worker child may have left (a child killed after its stop grace had no time to): the
 * containers whose owner label is that child's instance, and nothing else on the shared engine.
 */
async function removeLeftovers(docker: Docker, instanceIds: readonly string[]): Promise<void> {
  for (const id of instanceIds) {
    const left = await docker.listContainers({ all: true, filters: { label: [`${LABELS.owner}=${id}`] } });
    await Promise.all(left.map((c) => removeContainerPatiently(docker, c.Id)));
  }
}

export async function startBenchStack(options: { logger: Logger; onProgress: ProgressReporter; docker: Docker }): Promise<BenchStack> {
  const { logger, onProgress, docker } = options;
  const home = await mkdtemp(path.join(os.tmpdir(), 'airlock-bench-'));
  // The key the parked suite signs its approvals with, trusted by the policies' `signers` (signing-key.pub).
  ensureSigningKey(home);
  const baseConfig = loadConfig({ ...process.env, AIRLOCK_HOME: home });
  let server: DevServer | undefined;
  try {
    const prerequisites = await ensurePrerequisites({
      stateDir: loadConfig().home,
      sandboxImageName: baseConfig.AIRLOCK_SANDBOX_IMAGE,
      needTemporalCli: !process.env.TEMPORAL_ADDRESS,
      needTestServer: false,
      onProgress,
      logger,
    });
    let address = process.env.TEMPORAL_ADDRESS;
    if (!address) {
      const port = await findFreePort('127.0.0.1');
      onProgress(`starting a private Temporal dev server on 127.0.0.1:${port}`);
      server = await startDevServer({
        cliPath: prerequisites.temporalCli!.path,
        dbFile: path.join(home, 'temporal.db'),
        logFile: path.join(home, 'temporal-server.log'),
        ip: '127.0.0.1',
        port,
        uiPort: undefined,
        namespace: baseConfig.TEMPORAL_NAMESPACE,
        logger,
      });
      address = server.address;
    }
    const temporalAddress = address;
    return {
      home,
      image: baseConfig.AIRLOCK_SANDBOX_IMAGE,
      address: temporalAddress,
      async startSuite(name, suiteOptions = {}) {
        const env = {
          ...process.env,
          AIRLOCK_HOME: home,
          TEMPORAL_ADDRESS: temporalAddress,
          AIRLOCK_TASK_QUEUE: `airlock-bench-${name}`,
          ...(suiteOptions.policyFile ? { AIRLOCK_POLICY: suiteOptions.policyFile } : {}),
        };
        const config = loadConfig(env);
        onProgress(`${name}: starting the workers in a child process`);
        const before = new Set(await leaseHolders(home));
        const workers = await startWorkerChild(env);
        // The child's sandbox worker instance: the owner label of every container it starts.
        const instances = (await leaseHolders(home)).filter((id) => !before.has(id));
        const sdk = await AirlockClient.connect(config);
        const connection = await Connection.connect({ address: temporalAddress });
        const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
        return {
          config,
          sdk,
          temporal,
          workers,
          async close() {
            await sdk.disconnect();
            await connection.close();
            await workers.stop();
            await removeLeftovers(docker, instances);
          },
        };
      },
      async close() {
        await server?.stop();
        await rm(home, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await server?.stop();
    await rm(home, { recursive: true, force: true });
    throw err;
  }
}
