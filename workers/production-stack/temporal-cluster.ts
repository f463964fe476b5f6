import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
// The SDK's own duration-to-protobuf conversion (the namespace API takes a protobuf Duration).
import { msToTs } from '@temporalio/common/lib/time.js';
import type { Logger } from 'pino';
import { stringify } from 'yaml';
import { findFreePort, isPortFree } from '../dev-stack/port-check.js';
import { ensureSearchAttributes } from '../dev-stack/search-attribute-registration.js';
import type { TemporalServerBinaries } from '../setup/ensure-temporal-server.js';
import { runCommand } from '../setup/run-command.js';
import { startManagedProcess, waitUntilReady, type ManagedProcess } from './managed-process.js';
import type { PostgresCluster } from './postgres-cluster.js';

const LOOPBACK = '127.0.0.1';
const SQL_PLUGIN = 'postgres12';
/** Temporal's two databases and the schemas temporal-sql-tool carries inside itself for them. */
const DATABASES = [
  { name: 'temporal', schema: 'postgresql/v12/temporal' },
  { name: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
] as const;
const READY_TIMEOUT_MS = 120_000;
/** How long closed runs stay in the cluster's history (at least as long as any artifact retention of the test). */
const NAMESPACE_RETENTION = '3 days';
/**
 * Temporal keeps each service's membership port in a SQL smallint, so those ports must be below 32768, where the
 * kernel never hands out ephemeral ports: they are picked at random from this range and checked free.
 */
const MEMBERSHIP_PORTS = { first: 20_000, last: 32_000 } as const;
/** gRPC status of registering a namespace that exists. */
const GRPC_ALREADY_EXISTS = 6;

/** A Temporal server (frontend, history, matching and worker services in one process) on PostgreSQL. */
export interface TemporalCluster {
  /** The frontend, `127.0.0.1:PORT`. */
  address: string;
  namespace: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Creates both databases and applies the schemas with temporal-sql-tool, exactly as an operator sets up a cluster
 * (`setup-schema -v 0.0`, then `update-schema` to the newest version). The password travels in the environment,
 * never on a command line that `ps` shows.
 */
export async function applyTemporalSchema(options: { sqlTool: string; database: PostgresCluster }): Promise<void> {
  const { database } = options;
  const env = { ...process.env, SQL_HOST: database.host, SQL_PORT: String(database.port), SQL_USER: database.user, SQL_PASSWORD: database.password };
  for (const db of DATABASES) {
    const steps = [
      ['create-database', '--defaultdb', 'postgres'],
      ['setup-schema', '-v', '0.0'],
      ['update-schema', '--schema-name', db.schema],
    ];
    for (const step of steps) {
      const result = await runCommand(options.sqlTool, ['--plugin', SQL_PLUGIN, '--db', db.name, ...step], { env, timeoutMs: 120_000 });
      if (result.exitCode !== 0) {
        throw new Error(`temporal-sql-tool ${step[0]} of ${db.name} failed: ${(result.stderr || result.stdout).trim().split('\n').slice(-6).join('\n')}`);
      }
    }
  }
}

/** The server's static configuration: every listener on loopback and a free port, no metrics or pprof listener. */
function serverConfig(options: { database: PostgresCluster; ports: Record<'frontend' | 'frontendHttp' | 'history' | 'matching' | 'worker' | 'membershipFrontend' | 'membershipHistory' | 'membershipMatching' | 'membershipWorker', number>; dynamicConfigFile: string }) {
  const { database, ports } = options;
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: SQL_PLUGIN,
      databaseName,
      connectAddr: `${database.host}:${database.port}`,
      connectProtocol: 'tcp',
      user: database.user,
      password: database.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = (grpcPort: number, membershipPort: number, extra: Record<string, number> = {}) => ({ rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra } });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: 4,
      datastores: { 'postgres-default': store('temporal', 20), 'postgres-visibility': store('temporal_visibility', 10) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: LOOPBACK } },
    services: {
      frontend: service(ports.frontend, ports.membershipFrontend, { httpPort: ports.frontendHttp }),
      history: service(ports.history, ports.membershipHistory),
      matching: service(ports.matching, ports.membershipMatching),
      worker: service(ports.worker, ports.membershipWorker),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `${LOOPBACK}:${ports.frontend}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: options.dynamicConfigFile, pollInterval: '10s' },
  };
}

/**
 * Starts `temporal-server start` on `database` (schema already applied), registers `namespace` and Airlock's search
 * attributes, and resolves once a visibility query that names them succeeds: from then on workers and clients can
 * use the namespace.
 */
export async function startTemporalCluster(options: {
  binaries: TemporalServerBinaries;
  database: PostgresCluster;
  dir: string;
  namespace: string;
  logger: Logger;
}): Promise<TemporalCluster> {
  const names = ['frontend', 'frontendHttp', 'history', 'matching', 'worker', 'membershipFrontend', 'membershipHistory', 'membershipMatching', 'membershipWorker'] as const;
  const taken = new Set<number>();
  const ports = {} as Record<(typeof names)[number], number>;
  for (const name of names) {
    ports[name] = name.startsWith('membership') ? await freeMembershipPort(taken) : await findFreePort(LOOPBACK);
    taken.add(ports[name]);
  }
  const dynamicConfigFile = path.join(options.dir, 'dynamic-config.yaml');
  // Search attributes registered a moment ago are usable at once, as on the dev server.
  await writeFile(dynamicConfigFile, stringify({ 'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true }] }));
  const configFile = path.join(options.dir, 'temporal-server.yaml');
  // The file holds the database password: readable by us only.
  await writeFile(configFile, stringify(serverConfig({ database: options.database, ports, dynamicConfigFile })), { mode: 0o600 });
  const server = startManagedProcess({
    name: 'Temporal server',
    command: options.binaries.server,
    args: ['--config-file', configFile, '--allow-no-auth', 'start'],
    cwd: options.dir,
    logFile: path.join(options.dir, 'temporal-server.log'),
  });
  const address = `${LOOPBACK}:${ports.frontend}`;
  try {
    const connection = await connectWhenUp(server, address);
    try {
      await registerNamespace(connection, options.namespace);
      await waitUntilReady(server, async () => {
        await ensureSearchAttributes({ connection, namespace: options.namespace, logger: options.logger });
        await connection.workflowService.countWorkflowExecutions({ namespace: options.namespace, query: `AirlockStatus = 'running' AND AirlockAwaitingApproval = true` });
        return true;
      }, READY_TIMEOUT_MS);
    } finally {
      await connection.close();
    }
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { address, namespace: options.namespace, process: server, stop: () => server.stop() };
}

async function freeMembershipPort(taken: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = MEMBERSHIP_PORTS.first + Math.floor(Math.random() * (MEMBERSHIP_PORTS.last - MEMBERSHIP_PORTS.first));
    if (!taken.has(port) && (await isPortFree(LOOPBACK, port))) return port;
  }
  throw new Error(`no free port between ${MEMBERSHIP_PORTS.first} and ${MEMBERSHIP_PORTS.last} for Temporal's membership listeners`);
}

async function connectWhenUp(server: ManagedProcess, address: string): Promise<Connection> {
  let connection: Connection | undefined;
  await waitUntilReady(server, async () => {
    const candidate = await Connection.connect({ address, connectTimeout: 2_000 });
    try {
      await candidate.workflowService.getSystemInfo({});
    } catch (err) {
      await candidate.close();
      throw err;
    }
    connection = candidate;
    return true;
  }, READY_TIMEOUT_MS);
  return connection!;
}

/** A fresh cluster has no namespace; an existing one is left as it is. */
async function registerNamespace(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(NAMESPACE_RETENTION) });
  } catch (err) {
    if ((err as { code?: unknown }).code !== GRPC_ALREADY_EXISTS) throw err;
  }
}
