/**
 * Everything telemetry-related a worker is created with, in one place so run-workers stays small: the data
 * converter (payload encryption), tracing interceptors and sinks, and metrics (a workflow sink for action status,
 * an activity interceptor for sandbox outcomes).
 */
import type { DataConverter } from '@temporalio/common';
import type { WorkerOptions } from '@temporalio/worker';
import { dataConverterFromEnv } from '../../platform/codec-keys.js';
import { processMetrics, TEMPORAL_METRICS_ADDRESS_ENV, type AirlockMetrics } from '../../platform/telemetry/metrics.js';
import { metricsSinks } from './metrics-sinks.js';
import { sandboxMetricsInterceptor } from './sandbox-metrics-interceptor.js';
import { tracingFromEnv, type AirlockTracing } from '../../platform/telemetry/tracing.js';

export interface WorkerTelemetry {
  dataConverter: DataConverter;
  metrics: AirlockMetrics;
  tracing: AirlockTracing;
  /** host:port for the Temporal runtime's Prometheus listener (process-wide, set by the first worker). */
  runtimeMetricsAddress?: string;
}

/** Telemetry as the environment configures it (codec keys, OTLP endpoint), with the process's metrics. */
export async function workerTelemetryFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<WorkerTelemetry> {
  const runtimeMetricsAddress = env[TEMPORAL_METRICS_ADDRESS_ENV]?.trim() || undefined;
  return {
    dataConverter: dataConverterFromEnv(env),
    metrics: processMetrics(),
    tracing: await tracingFromEnv(env),
    ...(runtimeMetricsAddress ? { runtimeMetricsAddress } : {}),
  };
}

type TelemetryOptions = Pick<WorkerOptions, 'dataConverter' | 'interceptors' | 'sinks'>;

/**
 * Options for the control worker (workflows + light activities). The workflow interceptors are not here: they
 * are bundled into the workflow code (WORKFLOW_INTERCEPTOR_MODULES, bundleAirlockWorkflows).
 */
export function controlWorkerTelemetry(telemetry: WorkerTelemetry): TelemetryOptions {
  return {
    dataConverter: telemetry.dataConverter,
    interceptors: { activity: telemetry.tracing.activityInterceptors() },
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
