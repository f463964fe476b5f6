import type { WorkflowExecutionInfo } from '@temporalio/client';
import { IdentitySchema, RunStatusSchema, type RunStatus } from '../schemas/run.js';
import { RiskLevelSchema, type RiskLevel } from '../schemas/risk.js';
import { WORKFLOW_TYPE } from '../workflows/messages.js';
import {
  AGENT_ATTRIBUTE,
  AWAITING_APPROVAL_ATTRIBUTE,
  RISK_ATTRIBUTE,
  STATUS_ATTRIBUTE,
} from '../workflows/search-attributes.js';
import { InputError } from './errors.js';

/** Filters for `listRuns`; all optional, combined with AND. */
export interface ListRunsFilter {
  status?: RunStatus;
  agent?: string;
  /** Only runs with at least one action waiting for a human. */
  pendingOnly?: boolean;
  /** Only runs whose highest risk so far is this level. */
  risk?: RiskLevel;
  /** Most runs returned (newest first). */
  limit?: number;
}

/** One line of `airlock list`: what the search attributes say about a run. */
export interface RunSummary {
  runId: string;
  agent?: string;
  status?: RunStatus;
  highestRisk?: RiskLevel;
  awaitingApproval: boolean;
  /** Temporal's own execution status (RUNNING, COMPLETED, ...). */
  workflowStatus: string;
  startedAt: string;
  closedAt?: string;
}

export const DEFAULT_LIST_LIMIT = 50;

/**
 * Builds the visibility query for `listRuns`. Values are validated before they are quoted, so user input can
 * never change the shape of the query.
 */
export function buildListQuery(filter: ListRunsFilter): string {
  // A long session continues as new under the same id; only its latest execution speaks for the run.
  const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`, `ExecutionStatus != 'ContinuedAsNew'`];
  if (filter.status !== undefined) {
    const status = RunStatusSchema.safeParse(filter.status);
    if (!status.success) throw new InputError(`unknown run status "${filter.status}"`);
    clauses.push(`${STATUS_ATTRIBUTE.name} = '${status.data}'`);
  }
  if (filter.agent !== undefined) {
    const agent = IdentitySchema.safeParse(filter.agent);
    if (!agent.success) throw new InputError(`invalid agent id "${filter.agent}"`);
    clauses.push(`${AGENT_ATTRIBUTE.name} = '${agent.data}'`);
  }
  if (filter.risk !== undefined) {
    const risk = RiskLevelSchema.safeParse(filter.risk);
    if (!risk.success) throw new InputError(`unknown risk level "${filter.risk}"`);
    clauses.push(`${RISK_ATTRIBUTE.name} = '${risk.data}'`);
  }
  if (filter.pendingOnly) clauses.push(`${AWAITING_APPROVAL_ATTRIBUTE.name} = true`);
  return clauses.join(' AND ');
}

/** Maps one visibility record to a summary; attributes a run never set stay undefined. */
export function summarizeExecution(info: WorkflowExecutionInfo): RunSummary {
  const attributes = info.typedSearchAttributes;
  const status = RunStatusSchema.safeParse(attributes.get(STATUS_ATTRIBUTE));
  const risk = RiskLevelSchema.safeParse(attributes.get(RISK_ATTRIBUTE));
  return {
    runId: info.workflowId,
    agent: attributes.get(AGENT_ATTRIBUTE),
    status: status.success ? status.data : undefined,
    highestRisk: risk.success ? risk.data : undefined,
    awaitingApproval: attributes.get(AWAITING_APPROVAL_ATTRIBUTE) === true,
    workflowStatus: info.status.name,
    startedAt: info.startTime.toISOString(),
    closedAt: info.closeTime?.toISOString(),
  };
}
