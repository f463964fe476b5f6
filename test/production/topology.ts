/**
 * The production topology of docs/deploy.md, started for real on this machine: a private PostgreSQL cluster, the
 * Temporal server built from its Go module on it (schema applied with temporal-sql-tool), SeaweedFS as the object
 * store, two control workers, two sandbox workers, and an API next to each sandbox host. Every Airlock part is its own
 * process with its own state folder and identity; they share nothing but Temporal and the bucket.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import { createLogger } from '../../platform/logger.js';
import { LABELS, MANAGED_LABEL_FILTER } from '../../sandbox/labels.js';
import { tokenFilePath, TokenStore } from '../../platform/token-store.js';
import { DecisionSigner } from '../../server/decision-signer.js';
import { startAirlockApi, startAirlockWorker, type AirlockApiProcess, type AirlockProcess } from '../../workers/production-stack/airlock-processes.js';
import { startPostgresCluster, type PostgresCluster } from '../../workers/production-stack/postgres-cluster.js';
import { applyTemporalSchema, startTemporalCluster, type TemporalCluster } from '../../workers/production-stack/temporal-cluster.js';
import { buildCacheDir } from '../../workers/setup/build-cache.js';
import { ensurePostgresql } from '../../workers/setup/ensure-postgresql.js';
import { ensureTemporalServer } from '../../workers/setup/ensure-temporal-server.js';
import { createStderrProgress } from '../../workers/setup/progress.js';
import { startTestObjectStore, type TestObjectStore } from '../support/object-store.js';

export const AGENT = 'prod-agent';
export const OTHER_AGENT = 'other-agent';
export const APPROVER = 'ops';

/** The policy of the topology: the agent develops, ops approves medium risk alone, the shared API key signs. */
function policyText(signerPublicKey: string): string {
  return `principals:
  - { id: ${AGENT}, roles: [developer] }
  - { id: ${OTHER_AGENT}, roles: [developer] }
  - { id: ${APPROVER}, roles: [approver] }
signers:
  - name: production-api
    publicKey: ${signerPublicKey}
levels:
  medium:
    mode: human
    roles: [approver]
    quorum: 1
    timeout: 30m
`;
}

export interface SandboxHost {
  worker: AirlockProcess;
  /** The API served next to this host, with tokens in its own store. */
  api: AirlockApiProcess;
  agentToken: string;
  otherAgentToken: string;
  approverToken: string;
}

export interface ProductionTopology {
  dir: string;
  temporal: TemporalCluster;
  controls: AirlockProcess[];
  hosts: { a: SandboxHost; b: SandboxHost };
  /** Airlock containers (any state) whose owner is one of this topology's sandbox workers. */
  ownContainers(): Promise<Docker.ContainerInfo[]>;
  stop(): Promise<void>;
}

/** Worker instance ids a sandbox worker logged (one per process start). */
async function instanceIdsIn(logFile: string): Promise<string[]> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return [...new Set([...text.matchAll(/"instanceId":"(w-[0-9a-f]{24})"/g)].map((match) => match[1]!))];
}

export async function startProductionTopology(options: { dir: string }): Promise<ProductionTopology> {
  const { dir } = options;
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'airlock-production-test' });
  const onProgress = createStderrProgress();
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  const docker = new Docker();
  const sandboxLogs: string[] = [];
  try {
    const [programs, binaries] = await Promise.all([ensurePostgresql({ onProgress }), ensureTemporalServer({ binDir: buildCacheDir(), onProgress })]);
    const database: PostgresCluster = await startPostgresCluster({ programs });
    stops.push(() => database.stop());
    await applyTemporalSchema({ sqlTool: binaries.sqlTool, database });
    const temporalDir = path.join(dir, 'temporal');
    await mkdir(temporalDir, { recursive: true });
    const temporal = await startTemporalCluster({ binaries, database, dir: temporalDir, namespace: 'default', logger });
    stops.push(() => temporal.stop());
    const objects: TestObjectStore = await startTestObjectStore();
    stops.push(() => objects.stop());

    const signingKey = randomBytes(32);
    const policyFile = path.join(dir, 'airlock.policy.yaml');
    await writeFile(policyFile, policyText(DecisionSigner.fromSecretKey(new Uint8Array(signingKey)).publicKey));
    const common: NodeJS.ProcessEnv = {
      ...process.env,
      ...objects.env,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      AIRLOCK_TASK_QUEUE: 'airlock',
      AIRLOCK_POLICY: policyFile,
      AIRLOCK_APPROVERS: '',
    };
    const processesDir = path.join(dir, 'processes');
    await mkdir(processesDir, { recursive: true });

    const controls: AirlockProcess[] = [];
    for (const name of ['control-1', 'control-2']) {
      const control = await startAirlockWorker({ name, role: 'control', dir: processesDir, env: common });
      stops.push(() => control.process.stop());
      controls.push(control);
    }
    const info = (await docker.info()) as { Runtimes?: Record<string, unknown> };
    const hasGvisor = Object.keys(info.Runtimes ?? {}).includes('runsc');
    const startHost = async (name: 'a' | 'b', runtimes: string, uids: string): Promise<SandboxHost> => {
      // Two hosts on one kernel: each gets its own uid range, as docs/deploy.md asks.
      const worker = await startAirlockWorker({
        name: `sandbox-${name}`,
        role: 'sandbox',
        dir: processesDir,
        env: { ...common, AIRLOCK_SANDBOX_RUNTIMES: runtimes, AIRLOCK_SANDBOX_CAPACITY: '4', AIRLOCK_SANDBOX_UIDS: uids },
      });
      sandboxLogs.push(worker.process.logFile);
      stops.push(() => worker.process.stop(30_000));
      const apiHome = path.join(processesDir, `api-${name}`);
      await mkdir(apiHome, { recursive: true });
      const tokens = new TokenStore(tokenFilePath(apiHome));
      const host = {
        agentToken: tokens.create(AGENT, { roles: ['agent'] }).token,
        otherAgentToken: tokens.create(OTHER_AGENT, { roles: ['agent'] }).token,
        approverToken: tokens.create(APPROVER, { roles: ['approver'] }).token,
      };
      // The load test polls and fetches far more often than a person: the per-token limit is raised for it.
      const api = await startAirlockApi({
        name: `api-${name}`,
        dir: processesDir,
        home: apiHome,
        env: { ...common, AIRLOCK_SIGNING_KEY: signingKey.toString('hex'), AIRLOCK_API_RATE_LIMIT: '100000' },
      });
      stops.push(() => api.process.stop());
      return { worker, api, ...host };
    };
    const a = await startHost('a', 'runc', '300000-300999');
    const b = await startHost('b', hasGvisor ? 'runc,runsc' : 'runc', '301000-301999');

    const ownContainers = async () => {
      const owners = new Set((await Promise.all(sandboxLogs.map((file) => instanceIdsIn(file)))).flat());
      const all = await docker.listContainers({ all: true, filters: { label: [MANAGED_LABEL_FILTER] } });
      return all.filter((container) => owners.has(container.Labels[LABELS.owner] ?? ''));
    };
    return {
      dir,
      temporal,
      controls,
      hosts: { a, b },
      ownContainers,
      async stop() {
        await stopAll();
        // A killed sandbox worker cannot clean up; its containers stop by their own deadline, and are removed here.
        for (const container of await ownContainers()) await docker.getContainer(container.Id).remove({ force: true }).catch(() => undefined);
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
