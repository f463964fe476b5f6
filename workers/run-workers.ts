import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createControlActivities, createSandboxActivities } from '../activities/index.js';
import type { AirlockConfig } from '../platform/config.js';
import { temporalConnectionOptions } from '../platform/temporal-tls.js';
import { createArtifactStore, loadArtifactStoreEnv } from '../platform/artifact-store-config.js';
import { startRetention } from './retention-loop.js';
import { startArtifactTempSweep } from './artifact-temp-sweep.js';
import { createDockerClient, dockerEndpoint } from '../sandbox/docker-client.js';
import { EngineHealth } from '../sandbox/engine-health.js';
import { runWhileEngineAnswers } from './engine-gated-workers.js';
import { controlPlaneFromEnv } from '../sandbox/network/control-plane.js';
import { DockerSandbox } from '../sandbox/docker-sandbox.js';
import { FileAttemptJournal } from '../sandbox/attempt-journal.js';
import { newWorkerInstanceId, WorkerLeases } from '../sandbox/worker-instance.js';
import { parseUidRange } from '../sandbox/uid-allocator.js';
import { sandboxSizingFromEnv } from '../sandbox/warm/pool-sizing.js';
import { defaultSecretStore } from '../platform/secret-store.js';
import { upstreamCaFromEnv } from './upstream-ca.js';
import { controlPolicyDeps } from './control-policy.js';
import { startReaper } from './reaper-loop.js';
import { workflowCacheSizeFromEnv } from './workflow-cache.js';
import { inspectSandboxEngine, planSandboxHost } from './sandbox-host.js';
import { bundlerLogger, installTemporalRuntimeLogger } from './temporal-logger.js';
import {
  controlWorkerTelemetry,
  sandboxWorkerTelemetry,
  workerTelemetryFromEnv,
  type WorkerTelemetry,
} from './telemetry/worker-telemetry.js';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../platform/telemetry/tracing.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.js', import.meta.url));

export interface RunWorkersOptions {
  config: AirlockConfig;
  logger: Logger;
  /** Aborting shuts the workers down gracefully (in-flight sandboxes are cancelled and removed). */
  signal?: AbortSignal;
  /** Which workers this process runs; both by default (the embedded stack). */
  roles?: { control?: boolean; sandbox?: boolean };
  /** A pre-built workflow bundle (tests bundle once per suite). */
  workflowBundle?: WorkflowBundleOption;
  /** Called once every worker is polling. */
  onReady?: () => void;
  /** Policy file and channel settings (AIRLOCK_POLICY, SLACK_*, AIRLOCK_WEBHOOK_SECRET); process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Payload codec, tracing and metrics; from the environment (AIRLOCK_CODEC_KEYS, OTEL_*) when omitted. */
  telemetry?: WorkerTelemetry;
}

/**
 * Runs Airlock's workers until the signal aborts: the control worker (workflows, policy and risk activities) on
 * the configured task queue and the sandbox worker (Docker executions) on its `-sandbox` queue.
 */
export async function runWorkers(options: RunWorkersOptions): Promise<void> {
  const { config, logger } = options;
  const roles = { control: options.roles?.control ?? true, sandbox: options.roles?.sandbox ?? true };
  const telemetry = options.telemetry ?? (await workerTelemetryFromEnv(options.env));
  installTemporalRuntimeLogger(logger, { metricsBindAddress: telemetry.runtimeMetricsAddress });
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const workers: Worker[] = [];
  const stopReaper: Array<() => Promise<void>> = [];
  const closeSandboxes: Array<() => Promise<void>> = [];
  // Workers that poll only while a condition holds (the sandbox host's engine answering), each run by its own loop.
  const gated: Array<(signal: AbortSignal, onPolling: () => void) => Promise<void>> = [];
  try {
    if (roles.control) {
      const controlLogger = logger.child({ worker: 'control' });
      const { policy, channels, callbackSecret } = controlPolicyDeps({ config, logger: controlLogger, env: options.env });
      // Parked runs beyond the cache wait on the server and replay when they wake (AIRLOCK_WORKFLOW_CACHE_SIZE).
      const maxCachedWorkflows = workflowCacheSizeFromEnv(options.env ?? process.env);
      workers.push(
        await Worker.create({
          connection,
          namespace: config.TEMPORAL_NAMESPACE,
          taskQueue: config.AIRLOCK_TASK_QUEUE,
          ...(controlIdentity(options.env ?? process.env) ? { identity: controlIdentity(options.env ?? process.env) } : {}),
          workflowBundle:
            options.workflowBundle ??
            (await bundleWorkflowCode({
              workflowsPath: WORKFLOWS_PATH,
              // Always bundled, tracing on or off, so every history replays against the same code.
              workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
              logger: bundlerLogger(logger),
            })),
          activities: createControlActivities({ logger: controlLogger, policy, channels, ...(callbackSecret ? { callbackSecret } : {}) }),
          maxCachedWorkflows,
          ...controlWorkerTelemetry(telemetry),
        }),
      );
      const retentionDays = loadArtifactStoreEnv(options.env ?? process.env).AIRLOCK_ARTIFACT_RETENTION_DAYS;
      if (retentionDays !== undefined) {
        const store = await createArtifactStore({ home: config.home, env: options.env ?? process.env, logger: controlLogger });
        stopReaper.push(startRetention({ store, olderThanDays: retentionDays, logger: controlLogger }));
      }
    }
    if (roles.sandbox) {
      const docker = createDockerClient();
      // This process's own id and lease: the owner of its containers, whatever its pid or host name.
      const instanceId = newWorkerInstanceId();
      const sandboxLogger = logger.child({ worker: 'sandbox', instanceId });
      const leases = new WorkerLeases(path.join(config.home, 'workers'));
      stopReaper.push(await leases.hold(instanceId));
      const journal = new FileAttemptJournal(path.join(config.home, 'attempts'));
      // Concurrency and the warm pool follow the host's cores and memory unless AIRLOCK_SANDBOX_CAPACITY and
      // AIRLOCK_WARM_POOL* say otherwise.
      const sizing = sandboxSizingFromEnv(options.env ?? process.env);
      const artifactStore = await createArtifactStore({ home: config.home, env: options.env ?? process.env, logger: sandboxLogger });
      // Temporary files of artifact writes a crash interrupted go at start and then every few minutes.
      stopReaper.push(startArtifactTempSweep({ store: artifactStore, logger: sandboxLogger }));
      const sandbox = new DockerSandbox({
        docker,
        image: config.AIRLOCK_SANDBOX_IMAGE,
        artifactStore,
        logger: sandboxLogger,
        // The control plane this worker itself talks to is never an egress destination.
        controlPlane: controlPlaneFromEnv({ ...(options.env ?? process.env), TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS }),
        uidRange: parseUidRange((options.env ?? process.env).AIRLOCK_SANDBOX_UIDS),
        warmPool: sizing.pool.enabled && sizing.pool,
        // Values of secrets the egress proxy adds: AIRLOCK_SECRET_<NAME>, then the encrypted file in AIRLOCK_HOME.
        secrets: defaultSecretStore(config.home, options.env ?? process.env),
        ...upstreamCaFromEnv(options.env ?? process.env),
        // Shared by every sandbox worker with this home: a retry here can prove what an earlier attempt did.
        journal,
        instanceId,
      });
      closeSandboxes.push(() => sandbox.close());
      stopReaper.push(await startReaper({ docker, logger: sandboxLogger, leases, self: instanceId, journal }));
      sandbox.prewarm().catch((err: unknown) => sandboxLogger.warn({ err }, 'could not prewarm the sandbox pool; actions run cold until it fills'));
      const env = options.env ?? process.env;
      const health = new EngineHealth({ ping: () => docker.ping(), endpoint: dockerEndpoint(env), logger: sandboxLogger });
      health.start();
      stopReaper.push(() => health.stop());
      // One worker per queue this host can serve (the strong-isolation queue only where gVisor runs), created each
      // time the engine answers, from what the engine has then.
      const createSandboxWorkers = async (): Promise<Worker[]> => {
        const host = planSandboxHost({
          controlTaskQueue: config.AIRLOCK_TASK_QUEUE,
          env,
          defaultCapacity: sizing.concurrency,
          ...(await inspectSandboxEngine(docker, config.AIRLOCK_SANDBOX_IMAGE)),
        });
        sandboxLogger.info({ identity: host.identity, runtimes: host.runtimes, queues: host.queues, warmPool: sizing.pool }, 'sandbox host capabilities and sizing');
        return Promise.all(
          host.queues.map((queue) =>
            Worker.create({
              connection,
              namespace: config.TEMPORAL_NAMESPACE,
              taskQueue: queue.taskQueue,
              identity: host.identity,
              activities: createSandboxActivities({ logger: sandboxLogger.child({ queue: queue.kind }), sandbox, health }),
              maxConcurrentActivityTaskExecutions: queue.capacity,
              // Give running sandboxes time to be killed and removed when the worker stops.
              shutdownGraceTime: '10 seconds',
              ...sandboxWorkerTelemetry(telemetry),
            }),
          ),
        );
      };
      gated.push((signal, onPolling) =>
        runWhileEngineAnswers({ health, createWorkers: createSandboxWorkers, logger: sandboxLogger, signal, onPolling }),
      );
    }
    const stopGated = new AbortController();
    const onAbort = () => {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      stopGated.abort();
    };
    const stopOthersOnError = (err: unknown) => {
      logger.error({ err }, 'worker stopped with an error');
      onAbort();
      throw err;
    };
    // Ready once the sandbox workers poll too, which waits for their Docker engine to answer.
    const polled: Array<() => void> = [];
    const gatedPolling = gated.map(() => new Promise<void>((resolve) => polled.push(resolve)));
    // One worker failing stops the others: a half-running stack would accept runs it cannot finish.
    const running = [
      ...workers.map((worker) => worker.run().catch(stopOthersOnError)),
      ...gated.map((run, i) => run(stopGated.signal, () => polled[i]!()).catch(stopOthersOnError)),
    ];
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    void Promise.all(gatedPolling).then(() => {
      logger.info({ taskQueue: config.AIRLOCK_TASK_QUEUE, roles }, 'workers polling');
      options.onReady?.();
    });
    const outcomes = await Promise.allSettled(running);
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure) throw failure.reason;
  } finally {
    // Warm containers and background removals first, so the reaper's last pass finds nothing of this worker's.
    for (const close of closeSandboxes) await close();
    for (const stop of stopReaper) await stop();
    await connection.close();
  }
}

/** AIRLOCK_WORKER_IDENTITY names the control worker too, so a deployment's pollers are told apart by name. */
function controlIdentity(env: NodeJS.ProcessEnv): string | undefined {
  const name = env.AIRLOCK_WORKER_IDENTITY?.trim();
  return name ? `${name} control` : undefined;
}
