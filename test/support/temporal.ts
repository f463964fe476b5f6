/** Real Temporal server + in-process workers for integration and e2e tests. */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Logger } from 'pino';
import { loadConfig, type AirlockConfig } from '../../platform/config.js';
import { ensureSigningKey } from '../../server/decision-signer.js';
import { createLogger } from '../../platform/logger.js';
import { runWorkers, WORKFLOWS_PATH, type RunWorkersOptions } from '../../workers/run-workers.js';
import { bundleAirlockWorkflows } from '../../workers/telemetry/workflow-bundle.js';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow code, bundled once per test process exactly as production workers bundle it. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleAirlockWorkflows(WORKFLOWS_PATH);
  return bundle;
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** Config pointing at the test stack's server (TEMPORAL_ADDRESS from the environment) with a private queue. */
export function testConfig(overrides: Record<string, string> = {}): AirlockConfig {
  return loadConfig({ ...process.env, AIRLOCK_TASK_QUEUE: uniqueId('airlock-test'), ...overrides });
}

export interface TestWorkers {
  config: AirlockConfig;
  taskQueue: string;
  client: Client;
  /** Environment for spawning the CLI against these workers. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** Starts control and sandbox workers on a private task queue; `stop()` shuts them down and closes the client. */
export async function startTestWorkers(
  options: {
    config?: AirlockConfig;
    approvers?: string[];
    /** Policy and channel settings for the workers (AIRLOCK_POLICY, SLACK_*, AIRLOCK_WEBHOOK_SECRET). */
    env?: NodeJS.ProcessEnv;
    /** The workers' logger (tests that inspect every log line pass their own). */
    logger?: Logger;
  } = {},
): Promise<TestWorkers> {
  const config = options.config ?? testConfig(options.approvers ? { AIRLOCK_APPROVERS: options.approvers.join(',') } : {});
  // The shipped policy trusts the key under AIRLOCK_HOME; it exists before the first run pins the policy.
  ensureSigningKey(config.home);
  const workers = await runTestWorkers(config, { env: options.env, ...(options.logger ? { logger: options.logger } : {}) });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  return {
    config,
    taskQueue: config.AIRLOCK_TASK_QUEUE,
    client,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
      AIRLOCK_TASK_QUEUE: config.AIRLOCK_TASK_QUEUE,
      AIRLOCK_HOME: config.home,
      AIRLOCK_APPROVERS: config.AIRLOCK_APPROVERS,
    },
    async stop() {
      await workers.stop();
      await connection.close();
    },
  };
}

/**
 * Runs the real workers in this process until `stop()`, once they poll. Extra options reach `runWorkers` as they
 * are (telemetry, policy environment, another bundle); the suite's shared bundle is used unless one is given.
 */
export async function runTestWorkers(
  config: AirlockConfig,
  extra: Partial<Omit<RunWorkersOptions, 'config' | 'signal' | 'onReady'>> = {},
): Promise<{ stop(): Promise<void> }> {
  const abort = new AbortController();
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const running = runWorkers({
    config,
    logger: createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'airlock-test' }),
    workflowBundle: await workflowBundle(),
    ...extra,
    signal: abort.signal,
    onReady: ready,
  });
  await Promise.race([isReady, running]);
  return {
    async stop() {
      abort.abort();
      await running;
    },
  };
}
