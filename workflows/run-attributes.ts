/** Keeps the run's search attributes current, so runs are filterable in the Temporal Web UI and the CLI. */
import type { SearchAttributePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { RunState } from '../schemas/run.js';
import { runStatusOf } from './run-status.js';
import { AGENT_ATTRIBUTE, AWAITING_APPROVAL_ATTRIBUTE, RISK_ATTRIBUTE, STATUS_ATTRIBUTE } from './search-attributes.js';

/** The attributes a run (or its continued-as-new execution) starts with. */
export function startAttributes(state: Pick<RunState, 'agent' | 'highestRisk'>): SearchAttributePair[] {
  return [
    { key: AGENT_ATTRIBUTE, value: state.agent },
    { key: STATUS_ATTRIBUTE, value: 'running' },
    { key: AWAITING_APPROVAL_ATTRIBUTE, value: false },
    ...(state.highestRisk ? [{ key: RISK_ATTRIBUTE, value: state.highestRisk }] : []),
  ];
}

/** Recomputes the run's status and publishes it with the highest risk so far. */
export function publishRunStatus(state: RunState, ended = false): void {
  state.status = runStatusOf(state, ended);
  upsertSearchAttributes([
    { key: STATUS_ATTRIBUTE, value: state.status },
    { key: AWAITING_APPROVAL_ATTRIBUTE, value: state.status === 'awaiting_approval' },
    ...(state.highestRisk ? [{ key: RISK_ATTRIBUTE, value: state.highestRisk }] : []),
  ]);
}
