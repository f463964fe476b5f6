/**
 * The agentRun workflow: one agent's session. Each action is assessed, gated (policy or humans, with a timeout that
 * denies), then run in the sandbox. Everything the audit needs is in this workflow's history.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { z } from 'zod';
import type { ControlActivities, SandboxActivities } from '../activities/index.js';
import { gateFor, GATE_RULE_IDS } from '../policy/gate.js';
import { ActionInputSchema, resolveLimits, type ActionInput } from '../schemas/action.js';
import { DecisionInputSchema, POLICY_PRINCIPAL, type DecisionInput, type DecisionOutcome } from '../schemas/decision.js';
import { formatDurationMs } from '../schemas/duration.js';
import type { PolicySnapshot } from '../schemas/policy.js';
import { maxRiskLevel, type RiskLevel } from '../schemas/risk.js';
import { StartRunInputSchema, type ActionState, type RunState, type StartRunInput } from '../schemas/run.js';
import { approvalCount, decisionRefusal, hasDenial, isDecided } from './approval-state.js';
import { closeSignal, closeUpdate, decideSignal, decideUpdate, getRunQuery, submitActionUpdate } from './messages.js';
import { isFinal, runStatusOf } from './run-status.js';
import { AGENT_ATTRIBUTE, AWAITING_APPROVAL_ATTRIBUTE, RISK_ATTRIBUTE, STATUS_ATTRIBUTE } from './search-attributes.js';
import { sandboxTaskQueueFor } from './task-queues.js';

const CONTROL_ACTIVITY_TIMEOUT = '30 seconds';
/** Time beyond the code's own wall-clock limit for container creation, image checks and clean-up. */
const SANDBOX_OVERHEAD_MS = 60_000;
const SANDBOX_HEARTBEAT_TIMEOUT = '20 seconds';
/** A crashed sandbox worker is retried on another; the container of the lost attempt is removed by name. */
const SANDBOX_MAX_ATTEMPTS = 3;

const control = proxyActivities<ControlActivities>({
  startToCloseTimeout: CONTROL_ACTIVITY_TIMEOUT,
  retry: { maximumAttempts: 5 },
});

function sandboxActivities(timeoutSec: number) {
  return proxyActivities<SandboxActivities>({
    taskQueue: sandboxTaskQueueFor(workflowInfo().taskQueue),
    startToCloseTimeout: timeoutSec * 1_000 + SANDBOX_OVERHEAD_MS,
    heartbeatTimeout: SANDBOX_HEARTBEAT_TIMEOUT,
    retry: { maximumAttempts: SANDBOX_MAX_ATTEMPTS, nonRetryableErrorTypes: ['SandboxImageMissing'] },
  });
}

function nowIso(): string {
  // Workflow time: deterministic on replay.
  return new Date(Date.now()).toISOString();
}

/** Throws a readable validation error (update validators reject by throwing). */
function parseOrReject<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`invalid ${what}: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
  return parsed.data;
}

export async function agentRun(rawInput: StartRunInput): Promise<RunState> {
  const input = StartRunInputSchema.parse(rawInput);
  const runId = workflowInfo().workflowId;
  const state: RunState = {
    runId,
    agent: input.agent,
    requester: input.requester,
    status: 'running',
    closed: false,
    startedAt: nowIso(),
    actions: [],
    ignoredDecisions: [],
  };
  // Loaded by an activity once the handlers are in place; until then decisions are refused.
  let policy: PolicySnapshot | undefined = undefined;
  const queue: ActionState[] = [];
  const actionById = new Map<string, ActionState>();
  const approvalTimeouts = new Map<string, number>();

  const publishStatus = (ended = false): void => {
    state.status = runStatusOf(state, ended);
    upsertSearchAttributes([
      { key: STATUS_ATTRIBUTE, value: state.status },
      { key: AWAITING_APPROVAL_ATTRIBUTE, value: state.status === 'awaiting_approval' },
      ...(state.highestRisk ? [{ key: RISK_ATTRIBUTE, value: state.highestRisk }] : []),
    ]);
  };

  const setActionStatus = (action: ActionState, status: ActionState['status']): void => {
    action.status = status;
    action.updatedAt = nowIso();
    log.info('action status', { runId, actionId: action.actionId, status });
    publishStatus();
  };

  const enqueue = (action: ActionInput): string => {
    const actionId = `a${state.actions.length + 1}`;
    const at = nowIso();
    const record: ActionState = {
      actionId,
      language: action.language,
      task: action.task,
      code: action.code,
      status: 'received',
      submittedAt: at,
      updatedAt: at,
      limits: resolveLimits(action.limits),
      decisions: [],
      requiredApprovals: 0,
    };
    state.actions.push(record);
    actionById.set(actionId, record);
    queue.push(record);
    approvalTimeouts.set(actionId, action.approvalTimeoutMs ?? input.approvalTimeoutMs);
    return actionId;
  };

  const recordHumanDecision = (decision: DecisionInput): DecisionOutcome => {
    const action = actionById.get(decision.actionId) as ActionState;
    action.decisions.push({
      decision: decision.decision,
      approver: decision.approver,
      channel: decision.channel,
      reason: decision.reason,
      at: nowIso(),
      automatic: false,
      policyVersion: (policy as PolicySnapshot).version,
    });
    action.updatedAt = nowIso();
    log.info('decision recorded', { runId, actionId: action.actionId, decision: decision.decision, approver: decision.approver, channel: decision.channel });
    return {
      actionId: action.actionId,
      status: hasDenial(action) ? 'denied' : isDecided(action) ? 'approved' : action.status,
      approvals: approvalCount(action),
      requiredApprovals: action.requiredApprovals,
    };
  };

  const refusalFor = (decision: DecisionInput): string | undefined =>
    decisionRefusal(decision, { runId, requester: input.requester, policy, action: actionById.get(decision.actionId) });

  const close = (reason: string): void => {
    if (state.closed) return;
    state.closed = true;
    state.closedReason = reason;
    log.info('run closed', { runId, reason });
  };

  setHandler(getRunQuery, () => state);

  setHandler(
    submitActionUpdate,
    (action) => ({ actionId: enqueue(action) }),
    {
      validator: (action) => {
        if (state.closed) throw new Error(`run ${runId} is closed and accepts no more actions: start a new run`);
        parseOrReject(ActionInputSchema, action, 'action');
      },
    },
  );

  setHandler(decideUpdate, (decision) => recordHumanDecision(decision), {
    validator: (decision) => {
      const parsed = parseOrReject(DecisionInputSchema, decision, 'decision');
      const refusal = refusalFor(parsed);
      if (refusal) throw new Error(refusal);
    },
  });

  // Signals cannot be refused: an invalid one is kept, with its reason, for the audit.
  setHandler(decideSignal, (decision) => {
    const parsed = DecisionInputSchema.safeParse(decision);
    const refusal = parsed.success ? refusalFor(parsed.data) : z.prettifyError(parsed.error);
    if (parsed.success && refusal === undefined) {
      recordHumanDecision(parsed.data);
      return;
    }
    const raw = (decision ?? {}) as Partial<DecisionInput>;
    state.ignoredDecisions.push({
      actionId: String(raw.actionId ?? ''),
      approver: String(raw.approver ?? ''),
      channel: String(raw.channel ?? ''),
      reason: refusal ?? 'invalid decision',
      at: nowIso(),
    });
    log.warn('decision signal ignored', { runId, actionId: raw.actionId, reason: refusal });
  });

  setHandler(closeUpdate, () => {
    close('closed');
    return state;
  });
  setHandler(closeSignal, () => close('closed'));

  const recordPolicyDecision = (action: ActionState, decision: 'approve' | 'deny', ruleIds: string[], reason: string): void => {
    action.decisions.push({
      decision,
      approver: POLICY_PRINCIPAL,
      channel: 'policy',
      reason,
      at: nowIso(),
      automatic: true,
      ruleIds,
      policyVersion: (policy as PolicySnapshot).version,
    });
  };

  /** Waits for humans; returns false when the wait timed out. */
  const awaitApproval = async (action: ActionState, level: RiskLevel, quorum: number): Promise<boolean> => {
    const timeoutMs = approvalTimeouts.get(action.actionId) ?? input.approvalTimeoutMs;
    action.requiredApprovals = quorum;
    action.approvalDeadline = new Date(Date.now() + timeoutMs).toISOString();
    setActionStatus(action, 'awaiting_approval');
    const decided = await condition(() => isDecided(action), timeoutMs, {
      summary: `approval of ${action.actionId} (${level} risk, ${quorum} approver${quorum > 1 ? 's' : ''})`,
    });
    if (!decided) {
      recordPolicyDecision(action, 'deny', [GATE_RULE_IDS.approvalTimeout], `no decision within ${formatDurationMs(timeoutMs)}`);
      setActionStatus(action, 'timed_out');
    }
    return decided;
  };

  const processAction = async (action: ActionState): Promise<void> => {
    const activePolicy = policy as PolicySnapshot;
    try {
      const risk = await control.assessRisk({ language: action.language, code: action.code, policyVersion: activePolicy.version });
      action.risk = risk;
      action.codeSha256 = risk.codeSha256;
      state.highestRisk = state.highestRisk ? maxRiskLevel(state.highestRisk, risk.level) : risk.level;
      setActionStatus(action, 'assessed');

      const gate = gateFor(activePolicy, risk.level);
      if (gate.mode === 'deny') {
        recordPolicyDecision(action, 'deny', [GATE_RULE_IDS.deny(risk.level), ...risk.ruleIds], `${risk.level} risk is denied by policy`);
        setActionStatus(action, 'denied');
        return;
      }
      if (gate.mode === 'auto') {
        recordPolicyDecision(action, 'approve', [GATE_RULE_IDS.autoApprove(risk.level), ...risk.ruleIds], `${risk.level} risk is approved by policy`);
      } else if (!(await awaitApproval(action, risk.level, gate.quorum))) {
        return;
      }
      if (hasDenial(action)) {
        setActionStatus(action, 'denied');
        return;
      }
      setActionStatus(action, 'approved');

      setActionStatus(action, 'running');
      const result = await sandboxActivities(action.limits.timeoutSec).executeCode({
        runId,
        actionId: action.actionId,
        language: action.language,
        code: action.code,
        limits: action.limits,
      });
      action.result = result;
      const succeeded = result.exitCode === 0 && !result.timedOut && !result.oomKilled;
      setActionStatus(action, succeeded ? 'succeeded' : 'failed');
    } catch (err) {
      // An action that cannot run fails on its own; the run and its other actions go on.
      action.error = err instanceof ApplicationFailure || err instanceof Error ? describeFailure(err) : String(err);
      log.error('action failed without a result', { runId, actionId: action.actionId, error: action.error });
      setActionStatus(action, 'failed');
    }
  };

  upsertSearchAttributes([
    { key: AGENT_ATTRIBUTE, value: input.agent },
    { key: STATUS_ATTRIBUTE, value: 'running' },
    { key: AWAITING_APPROVAL_ATTRIBUTE, value: false },
  ]);

  for (const action of input.actions) enqueue(action);
  policy = await control.loadPolicy();
  state.policyVersion = policy.version;

  if (input.closeWhenDone) {
    const initial = [...state.actions];
    void condition(() => initial.every((a) => isFinal(a.status))).then(() => close('done'));
  }

  const inFlight = new Set<Promise<void>>();
  for (;;) {
    const idle = inFlight.size === 0 && queue.length === 0 && !state.closed;
    const woke = idle
      ? await condition(() => queue.length > 0 || state.closed, input.idleTimeoutMs)
      : (await condition(() => queue.length > 0 || (state.closed && inFlight.size === 0)), true);
    if (!woke) close('idle');
    while (queue.length > 0) {
      const action = queue.shift() as ActionState;
      const task: Promise<void> = processAction(action).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    if (state.closed && inFlight.size === 0) break;
  }

  // Let in-progress update handlers reply before the run completes.
  await condition(allHandlersFinished);
  publishStatus(true);
  return state;
}

function describeFailure(err: Error): string {
  const cause = (err as { cause?: Error }).cause;
  return cause && cause.message && cause.message !== err.message ? `${err.message}: ${cause.message}` : err.message;
}
