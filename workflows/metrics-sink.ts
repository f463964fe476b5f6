/**
 * The sink through which the workflow reports action status changes for metrics. Sink calls leave no trace in
 * history and are skipped on replay, so reporting never affects determinism (and is not double-counted).
 */
import { proxySinks, type Sinks } from '@temporalio/workflow';

/** What the workflow reports on every action status change. */
export interface ActionStatusReport {
  runId: string;
  actionId: string;
  status: string;
  risk?: string;
  /** Workflow time of the change (ISO). */
  at: string;
}

/** Sink interface; the worker injects the implementation under the same name. */
export interface AirlockMetricsSinks extends Sinks {
  airlockMetrics: {
    actionStatus(report: ActionStatusReport): void;
  };
}

const sinks = proxySinks<AirlockMetricsSinks>();

/** Reports one status change (a no-op on replay). */
export function reportActionStatus(report: ActionStatusReport): void {
  sinks.airlockMetrics.actionStatus(report);
}
