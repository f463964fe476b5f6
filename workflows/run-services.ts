/**
 * What the agentRun workflow is built from, wired to Temporal: the activity proxies (timeouts and retries), the
 * session with its observer (logs, metrics sink, search attributes), the announcer and the action pipeline.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
import type { ControlActivities, SandboxActivities } from '../activities/index.js';
import type { AssessRiskInput } from '../activities/control-activities.js';
import type { LevelGate, PolicySnapshot } from '../schemas/policy.js';
import type { RiskAssessment, RiskLevel } from '../schemas/risk.js';
import type { ActionState, RunCarryOver, StartRunConfig } from '../schemas/run.js';
import type { PipelineDeps } from './action-pipeline.js';
import { Announcer } from './announcer.js';
import { awaitApproval, type ApprovalWaitDeps } from './approval-wait.js';
import { reportActionStatus } from './metrics-sink.js';
import { publishRunStatus } from './run-attributes.js';
import { RunCallbacks } from './run-callbacks.js';
import { RunSession } from './run-session.js';
import { sandboxTaskQueueFor, sandboxTaskQueueForExecution, strongSandboxTaskQueueFor } from './task-queues.js';

const CONTROL_ACTIVITY_TIMEOUT = '30 seconds';
/** Time beyond the code's own wall-clock limit for container creation, image checks and clean-up. */
const SANDBOX_OVERHEAD_MS = 60_000;
/**
 * Longer than a Temporal server restart (about 10 s on the dev server), so an outage of the server alone does not
 * make Temporal give up on a live attempt; still short enough that a dead worker's action moves on in half a minute.
 */
const SANDBOX_HEARTBEAT_TIMEOUT = '30 seconds';
/**
 * Sized for restarts: a lost or engine-cut attempt is retried after 2, 4, 8, 16 and 30 s, over a minute in all, longer
 * than a dockerd restart (10-30 s); and a worker whose engine is down does not poll, so a queued retry waits rather
 * than fail. The code's own failure is a result, not an error, and is never retried; an action with network is not
 * re-run once its code may have started (sandbox/earlier-attempts.ts).
 */
const SANDBOX_RETRY = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 6 } as const;
/** Histories recorded before host routing sent every execution to the one sandbox queue. */
export const SANDBOX_HOST_ROUTING_PATCH = 'sandbox-host-routing';
/** How long a strong-isolation action waits for a gVisor host to take it before it fails with a clear reason. */
const STRONG_HOST_WAIT = '10 minutes' as const;

/**
 * Policy and risk activities: 1, 2, 4, 8 s then every 10 s, about a minute before giving up, so a restart of the
 * control worker's dependencies does not fail a run.
 */
const control = proxyActivities<ControlActivities>({
  startToCloseTimeout: CONTROL_ACTIVITY_TIMEOUT,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 10 },
});

/**
 * From this patch on, loading the policy and scoring risk are local activities: the worker that runs the workflow
 * task runs them itself and reports them with that task's completion, instead of a schedule, a match on the task
 * queue, a poll and a completion each (two dispatch hops and a workflow task apiece). Older histories replay with
 * their recorded activities.
 */
export const LOCAL_CONTROL_ACTIVITIES_PATCH = 'local-control-activities';

/** Pure computation over what the workflow passes in: retried in place a few times, never for long. */
const localControl = proxyLocalActivities<ControlActivities>({
  startToCloseTimeout: CONTROL_ACTIVITY_TIMEOUT,
  retry: { maximumAttempts: 5 },
});

/** Push notifications retry with backoff for a few minutes: a flaky webhook receiver should still hear of it. */
const channels = proxyActivities<ControlActivities>({
  startToCloseTimeout: CONTROL_ACTIVITY_TIMEOUT,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
});

function sandboxActivities(timeoutSec: number, taskQueue: string, scheduleToStartTimeout?: typeof STRONG_HOST_WAIT) {
  return proxyActivities<SandboxActivities>({
    taskQueue,
    ...(scheduleToStartTimeout ? { scheduleToStartTimeout } : {}),
    startToCloseTimeout: timeoutSec * 1_000 + SANDBOX_OVERHEAD_MS,
    heartbeatTimeout: SANDBOX_HEARTBEAT_TIMEOUT,
    retry: { ...SANDBOX_RETRY, nonRetryableErrorTypes: ['SandboxImageMissing'] },
  });
}

function isScheduleToStartTimeout(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof TimeoutFailure && err.cause.timeoutType === 'SCHEDULE_TO_START';
}

/** Workflow time: deterministic on replay. */
function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

/** The run's policy, loaded (and so recorded in history) by an activity: a local one from the patch on. */
export function loadPolicy(): Promise<PolicySnapshot> {
  const summary = 'load and pin the approval policy';
  if (patched(LOCAL_CONTROL_ACTIVITIES_PATCH)) return localControl.loadPolicy.executeWithOptions({ summary }, []);
  return control.loadPolicy.executeWithOptions({ summary }, []);
}

/** Scores an action: a local activity from the patch on (its marker records the scored input with the result). */
async function assessRisk(request: AssessRiskInput, summary: string): Promise<RiskAssessment> {
  if (!patched(LOCAL_CONTROL_ACTIVITIES_PATCH)) return control.assessRisk.executeWithOptions({ summary }, [request]);
  return (await localControl.assessRiskWithInput.executeWithOptions({ summary }, [request])).assessment;
}

export interface RunServices {
  session: RunSession;
  announcer: Announcer;
  pipeline: PipelineDeps;
  callbacks: RunCallbacks;
}

export function createRunServices(input: StartRunConfig, runId: string, carried: RunCarryOver | undefined): RunServices {
  const executionId = workflowInfo().firstExecutionRunId;
  const callbacks = new RunCallbacks(executionId);
  const session: RunSession = new RunSession(input, {
    runId,
    executionId,
    carried,
    now: nowIso,
    observer: {
      actionStatusChanged: ({ actionId, status, risk, updatedAt }) => {
        log.info('action status', { runId, actionId, status });
        reportActionStatus({ runId, actionId, status, risk: risk?.level, at: updatedAt });
        publishRunStatus(session.state);
        callbacks.publish(session.state);
      },
      decisionRecorded: ({ actionId }, { decision, approver, channel }) => {
        log.info('decision recorded', { runId, actionId, decision, approver, channel });
        callbacks.publish(session.state);
      },
      decisionIgnored: (actionId, reason) => log.warn('decision signal ignored', { runId, actionId, reason }),
      closed: (reason) => log.info('run closed', { runId, reason }),
    },
  });
  const announcer = new Announcer(session, {
    notifyApprovers: (request) => channels.notifyApprovers(request),
    publishApprovalOutcome: (request) => channels.publishApprovalOutcome(request),
    now: nowIso,
    failed: (error) => log.warn('background notification work failed', { runId, error }),
  });
  const approvalWait: ApprovalWaitDeps = {
    waitUntil: (test, timeoutMs, summary) => condition(test, timeoutMs, { summary }),
    nowMs: () => Date.now(),
    announce: (...args) => announcer.announce(...args),
    publishOutcome: (...args) => announcer.publishOutcome(...args),
    escalated: ({ actionId }, stage, step) =>
      log.info('approval escalated', { runId, actionId, stage, channels: step.channels, roles: step.roles }),
  };
  const pipeline: PipelineDeps = {
    // Summaries label the activity in the Temporal Web UI's event history.
    assessRisk,
    executeCode: async (request, summary) => {
      // Strong isolation goes to the queue only gVisor hosts poll; recorded histories keep their single queue.
      const controlQueue = workflowInfo().taskQueue;
      if (!patched(SANDBOX_HOST_ROUTING_PATCH)) {
        return sandboxActivities(request.limits.timeoutSec, sandboxTaskQueueFor(controlQueue)).executeCode.executeWithOptions({ summary }, [request]);
      }
      const taskQueue = sandboxTaskQueueForExecution(controlQueue, request);
      const strong = taskQueue === strongSandboxTaskQueueFor(controlQueue);
      try {
        return await sandboxActivities(request.limits.timeoutSec, taskQueue, strong ? STRONG_HOST_WAIT : undefined).executeCode.executeWithOptions({ summary }, [request]);
      } catch (err) {
        if (strong && isScheduleToStartTimeout(err)) {
          throw ApplicationFailure.nonRetryable(
            `strong isolation needs the runsc runtime, and no sandbox host with gVisor took the action from ${taskQueue} within ${STRONG_HOST_WAIT}`,
            'StrongIsolationUnavailable',
          );
        }
        throw err;
      }
    },
    awaitApproval: (action: ActionState, level: RiskLevel, gate: LevelGate) => awaitApproval(session, approvalWait, action, level, gate),
    failed: ({ actionId }, error) => log.error('action failed without a result', { runId, actionId, error }),
  };
  return { session, announcer, pipeline, callbacks };
}
