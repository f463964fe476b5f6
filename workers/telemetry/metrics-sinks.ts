/** Worker side of the workflow's metrics sink (workflows/metrics-sink.ts): status changes into the registry. */
import type { InjectedSinks } from '@temporalio/worker';
import type { AirlockMetricsSinks } from '../../workflows/metrics-sink.js';
import type { AirlockMetrics } from '../../platform/telemetry/metrics.js';

/** Sinks for `Worker.create({ sinks })`; not called on replay, so restarts do not double-count. */
export function metricsSinks(metrics: AirlockMetrics): InjectedSinks<AirlockMetricsSinks> {
  return {
    airlockMetrics: {
      actionStatus: {
        fn: (_info, report) => metrics.recordActionStatus(report),
        callDuringReplay: false,
      },
    },
  };
}
