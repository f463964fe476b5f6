/**
 * Everything telemetry-related a worker is created with, in one place so run-workers stays small: the data
 * converter (payload encryption), tracing interceptors and sinks, and metrics (a workflow sink for action status,
 * an activity interceptor for sandbox outcomes).
 */
import type { DataConverter } from '@temporalio/common';
import type { WorkerOptions } from '@temporalio/worker';
import { dataConverterFromEnv } from '../../client/codec-keys.js';
import { processMetrics, type AirlockMetrics } from './metrics.js';
import { metricsSinks } from './metrics-sinks.js';
import { sandboxMetricsInterceptor } from './sandbox-metrics-interceptor.js';
import { tracingFromEnv, WORKFLOW_INTERCEPTOR_MODULES, type AirlockTracing } from './tracing.js';

export interface WorkerTelemetry {
  dataConverter: DataConverter;
  metrics: AirlockMetrics;
  tracing: AirlockTracing;
}

/** Telemetry as the environment configures it (codec keys, OTLP endpoint), with the process's metrics. */
export async function workerTelemetryFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<WorkerTelemetry> {
  return { dataConverter: dataConverterFromEnv(env), metrics: processMetrics(), tracing: await tracingFromEnv(env) };
}

type TelemetryOptions = Pick<WorkerOptions, 'dataConverter' | 'interceptors' | 'sinks'>;

/**
 * Options for the control worker (workflows + light activities). With a pre-built bundle the workflow
 * interceptors must already be in it (bundleAirlockWorkflows); otherwise the worker bundles them itself.
 */
export function controlWorkerTelemetry(telemetry: WorkerTelemetry, options: { prebuiltBundle: boolean }): TelemetryOptions {
  return {
    dataConverter: telemetry.dataConverter,
    interceptors: {
      activity: telemetry.tracing.activityInterceptors(),
      ...(options.prebuiltBundle ? {} : { workflowModules: [...WORKFLOW_INTERCEPTOR_MODULES] }),
    },
    sinks: { ...telemetry.tracing.workflowSinks(), ...metricsSinks(telemetry.metrics) },
  };
}

/** Options for the sandbox worker (Docker executions only). */
export function sandboxWorkerTelemetry(telemetry: WorkerTelemetry): TelemetryOptions {
  return {
    dataConverter: telemetry.dataConverter,
    interceptors: { activity: [...telemetry.tracing.activityInterceptors(), sandboxMetricsInterceptor(telemetry.metrics)] },
  };
}
