/**
 * What the web UI reads and does, in one narrow interface: runs waiting for a human, one run's state, recent runs,
 * and decisions. Decisions go through the SDK's `decide` (the workflow's validated update), like every channel.
 */
import type { Client } from '@temporalio/client';
import type { AirlockClient } from '../../client/sdk.js';
import { summarizeExecution, type RunSummary } from '../../client/list-query.js';
import type { DecisionKind, DecisionOutcome } from '../../schemas/decision.js';
import type { ActionState, RunState } from '../../schemas/run.js';
import { WORKFLOW_TYPE } from '../../workflows/messages.js';
import { AWAITING_APPROVAL_ATTRIBUTE } from '../../workflows/search-attributes.js';
import { decideThroughWorkflow, type DecideDeps } from '../decide-service.js';

/** One action a human can decide on now. */
export interface PendingApproval {
  run: RunState;
  action: ActionState;
}

export interface PendingApprovals {
  items: PendingApproval[];
  /** Runs the visibility store lists as waiting but that did not answer in time (workers down?). */
  unresponsive: string[];
}

export interface UiRunSource {
  pendingApprovals(): Promise<PendingApprovals>;
  recentRuns(limit: number): Promise<RunSummary[]>;
  getRun(runId: string): Promise<RunState>;
  /** Decides as `approver` through the web UI channel; refusals are ApiErrors carrying the workflow's message. */
  decide(request: {
    runId: string;
    actionId: string;
    decision: DecisionKind;
    approver: string;
    reason?: string;
    /** The content hash the page showed the reviewer. */
    expectedContentSha256?: string;
  }): Promise<DecisionOutcome>;
}

/** Most waiting runs the pending page loads; more than this is a queue no one reads on one page anyway. */
export const MAX_PENDING_RUNS = 100;
/** A run that does not answer within this is listed as unresponsive rather than holding the page up. */
export const RUN_STATE_TIMEOUT_MS = 3_000;
/** How long one computed pending list is reused for concurrent pollers (below the pages' poll interval). */
export const PENDING_SHARE_MS = 1_000;

const SAFE_QUERY_VALUE = /^[\w.:@+-]+$/;

/** Visibility query for this deployment's runs (its task queue), optionally only those waiting for a human. */
export function runsQuery(taskQueue: string, options: { awaitingOnly: boolean }): string {
  // The queue name comes from configuration, but it still must not be able to change the query's shape.
  if (!SAFE_QUERY_VALUE.test(taskQueue)) throw new Error(`task queue name ${JSON.stringify(taskQueue)} cannot be used in a query`);
  const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`, `TaskQueue = '${taskQueue}'`];
  if (options.awaitingOnly) clauses.push(`${AWAITING_APPROVAL_ATTRIBUTE.name} = true`, `ExecutionStatus = 'Running'`);
  return clauses.join(' AND ');
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The UI's view of Airlock: the SDK for run state and decisions, the Temporal client for listing. */
export function createUiRunSource(deps: {
  airlock: Pick<AirlockClient, 'getRun' | 'deliverSignedDecision'>;
  signer: DecideDeps['signer'];
  temporal: Client;
  taskQueue: string;
  logger?: DecideDeps['logger'];
}): UiRunSource {
  const { airlock, temporal, taskQueue } = deps;

  async function list(query: string, limit: number): Promise<RunSummary[]> {
    const runs: RunSummary[] = [];
    for await (const info of temporal.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
      runs.push(summarizeExecution(info));
      if (runs.length >= limit) break;
    }
    return runs;
  }

  // Every open pending page polls; within this window they share one answer instead of each querying every run.
  let shared: { atMs: number; answer: Promise<PendingApprovals> } | undefined;

  async function loadPending(): Promise<PendingApprovals> {
    const summaries = await list(runsQuery(taskQueue, { awaitingOnly: true }), MAX_PENDING_RUNS);
    const states = await Promise.all(
      summaries.map((summary) => withTimeout(airlock.getRun(summary.runId).catch(() => undefined), RUN_STATE_TIMEOUT_MS)),
    );
    const items: PendingApproval[] = [];
    const unresponsive: string[] = [];
    states.forEach((run, index) => {
      if (!run) {
        unresponsive.push((summaries[index] as RunSummary).runId);
        return;
      }
      for (const action of run.actions) if (action.status === 'awaiting_approval') items.push({ run, action });
    });
    // Most urgent first: the approval that times out soonest.
    items.sort((a, b) => deadlineMs(a.action) - deadlineMs(b.action));
    return { items, unresponsive };
  }

  return {
    pendingApprovals() {
      const now = Date.now();
      if (!shared || now - shared.atMs >= PENDING_SHARE_MS) {
        const answer = loadPending();
        shared = { atMs: now, answer };
        // A failure is not remembered: the next poll asks again.
        answer.catch(() => {
          if (shared?.answer === answer) shared = undefined;
        });
      }
      return shared.answer;
    },
    recentRuns(limit) {
      return list(runsQuery(taskQueue, { awaitingOnly: false }), limit);
    },
    getRun(runId) {
      return airlock.getRun(runId);
    },
    decide(request) {
      return decideThroughWorkflow({ client: airlock, signer: deps.signer, ...(deps.logger ? { logger: deps.logger } : {}) }, { ...request, channel: 'ui' });
    },
  };
}

function deadlineMs(action: ActionState): number {
  return action.approvalDeadline ? Date.parse(action.approvalDeadline) : Number.POSITIVE_INFINITY;
}
