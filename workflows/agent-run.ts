/**
 * The agentRun workflow: one agent's session. Each action is assessed, gated (policy or humans, with a timeout that
 * denies), then run in the sandbox. Everything the audit needs is in this workflow's history.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  log,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { z } from 'zod';
import type { ControlActivities, SandboxActivities } from '../activities/index.js';
import { gateFor, GATE_RULE_IDS, type DecisionRefusal } from '../policy/gate.js';
import { withNetworkRisk } from '../policy/network-risk.js';
import { isolationFor, limitsAboveBounds, LIMITS_ABOVE_BOUND_RULE } from '../policy/sandbox-policy.js';
import { ActionInputSchema, resolveLimits, type ActionInput } from '../schemas/action.js';
import { NetworkRequestSchema } from '../schemas/network.js';
import { DecisionInputSchema, POLICY_PRINCIPAL, type DecisionInput, type DecisionOutcome } from '../schemas/decision.js';
import { formatDurationMs } from '../schemas/duration.js';
import type { NotificationRecord } from '../schemas/notification.js';
import type { LevelGate, NotifyChannel, PolicySnapshot } from '../schemas/policy.js';
import { maxRiskLevel, type RiskLevel } from '../schemas/risk.js';
import {
  DEFAULT_APPROVAL_TIMEOUT_MS,
  StartRunInputSchema,
  type ActionState,
  type RunState,
  type StartRunConfig,
  type StartRunInput,
} from '../schemas/run.js';
import { actionContentSha256 } from './action-digest.js';
import { buildApprovalNotice } from './approval-notice.js';
import { filesForReview } from './review-files.js';
import { carryOverOf, historyIsLong } from './carry-over.js';
import { approvalCount, hasDenial, isDecided, refuseDecision } from './approval-state.js';
import { verificationRefusal } from './decision-checks.js';
import { closeSignal, closeUpdate, decideSignal, decideUpdate, getRunQuery, submitActionUpdate } from './messages.js';
import { reportActionStatus } from './metrics-sink.js';
import { compactRunResult } from './run-result.js';
import { isFinal, runStatusOf } from './run-status.js';
import { AGENT_ATTRIBUTE, AWAITING_APPROVAL_ATTRIBUTE, RISK_ATTRIBUTE, STATUS_ATTRIBUTE } from './search-attributes.js';
import { sandboxTaskQueueFor } from './task-queues.js';

const CONTROL_ACTIVITY_TIMEOUT = '30 seconds';
/** Time beyond the code's own wall-clock limit for container creation, image checks and clean-up. */
const SANDBOX_OVERHEAD_MS = 60_000;
const SANDBOX_HEARTBEAT_TIMEOUT = '20 seconds';
/** A crashed sandbox worker is retried on another; the container of the lost attempt is removed by name. */
const SANDBOX_MAX_ATTEMPTS = 3;
/** Decision signals are checked for a signature from this patch on; older histories replay as recorded. */
const SIGNED_DECISION_SIGNALS_PATCH = 'signed-decision-signals';

const control = proxyActivities<ControlActivities>({
  startToCloseTimeout: CONTROL_ACTIVITY_TIMEOUT,
  retry: { maximumAttempts: 5 },
});

/** Push notifications retry with backoff for a few minutes: a flaky webhook receiver should still hear of it. */
const channels = proxyActivities<ControlActivities>({
  startToCloseTimeout: CONTROL_ACTIVITY_TIMEOUT,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
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
  // Honoured only in an execution this workflow continued into: a client cannot hand a run a policy of its own.
  const carried = workflowInfo().continuedFromExecutionRunId ? input.carryOver : undefined;
  if (input.carryOver && !carried) log.warn('carry-over ignored: the run was not continued as new', { runId });
  const state: RunState = {
    runId,
    executionId: workflowInfo().firstExecutionRunId,
    agent: input.agent,
    requester: input.requester,
    status: 'running',
    ...(carried?.highestRisk ? { highestRisk: carried.highestRisk } : {}),
    closed: false,
    startedAt: carried?.startedAt ?? nowIso(),
    actions: carried ? [...carried.actions] : [],
    ignoredDecisions: carried ? [...carried.ignoredDecisions] : [],
  };
  // Loaded by an activity once the handlers are in place; until then decisions are refused.
  let policy: PolicySnapshot | undefined = undefined;
  const queue: ActionState[] = [];
  const actionById = new Map<string, ActionState>(state.actions.map((action) => [action.actionId, action]));
  // An explicit timeout (per action, else per run) overrides the policy's per-level one.
  const approvalTimeouts = new Map<string, number | undefined>();
  // Notifications and outcome updates run beside the actions; the run waits for them before it ends.
  const background = new Set<Promise<void>>();
  const pendingNotices = new Map<string, Promise<void>[]>();

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
    reportActionStatus({ runId, actionId: action.actionId, status, risk: action.risk?.level, at: action.updatedAt });
    publishStatus();
  };

  // What only the sandbox needs (input files can be large): kept out of the queryable state.
  const sandboxInputs = new Map<string, Pick<ActionInput, 'isolation' | 'files' | 'outputs' | 'limits'>>();

  const enqueue = (action: ActionInput): string => {
    const actionId = `a${state.actions.length + 1}`;
    sandboxInputs.set(actionId, { isolation: action.isolation, files: action.files, outputs: action.outputs, limits: action.limits });
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
      // Canonical entries (lower-case, de-duplicated); the validator already accepted them.
      ...(action.network ? { network: { allow: NetworkRequestSchema.parse(action.network).allow } } : {}),
      decisions: [],
      requiredApprovals: 0,
    };
    // What a signed decision binds to, and what reviewers see of the files.
    record.contentSha256 = actionContentSha256({ ...record, files: action.files, isolation: action.isolation });
    if (action.files) record.inputFiles = filesForReview(action.files);
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
      ...(decision.signature ? { signerKeyId: decision.signature.keyId, issuedAt: decision.signature.issuedAt } : {}),
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

  const refusalFor = (decision: DecisionInput): DecisionRefusal | undefined =>
    refuseDecision(decision, { runId, requester: input.requester, policy, action: actionById.get(decision.actionId) });

  /** refusalFor, then the deadline and the deciding service's signature (policy and action exist once refusalFor passed). */
  const verifiedRefusalFor = (decision: DecisionInput): DecisionRefusal | undefined =>
    refusalFor(decision) ??
    verificationRefusal(decision, {
      runId,
      executionId: state.executionId as string,
      action: actionById.get(decision.actionId) as ActionState,
      policy: policy as PolicySnapshot,
      nowMs: Date.now(),
    });

  const close = (reason: string): void => {
    if (state.closed) return;
    state.closed = true;
    state.closedReason = reason;
    log.info('run closed', { runId, reason });
  };

  // The start input's actions come first: an update delivered with the first workflow task must not take `a1`.
  for (const action of input.actions) enqueue(action);

  setHandler(getRunQuery, () => state);

  setHandler(
    submitActionUpdate,
    (action) => ({ actionId: enqueue(action) }),
    {
      validator: (action) => {
        if (state.closed) throw new Error(`run ${runId} is closed and accepts no more actions: start a new run`);
        const parsed = parseOrReject(ActionInputSchema, action, 'action');
        const limitRefusal = policy ? limitsAboveBounds(parsed.limits, policy.limitBounds) : undefined;
        if (limitRefusal) throw new Error(limitRefusal);
      },
    },
  );

  setHandler(decideUpdate, (decision) => recordHumanDecision(decision), {
    validator: (decision) => {
      const parsed = parseOrReject(DecisionInputSchema, decision, 'decision');
      const refusal = verifiedRefusalFor(parsed);
      if (refusal) log.warn('decision refused', { runId, actionId: parsed.actionId, approver: parsed.approver, channel: parsed.channel, refusal: refusal.type });
      // The type lets channels tell "not allowed" (403) from "too late or duplicate" (409) without parsing text.
      if (refusal) throw ApplicationFailure.create({ message: refusal.message, type: refusal.type, nonRetryable: true });
    },
  });

  // Signals cannot be refused: an invalid one is kept, with its reason, for the audit.
  setHandler(decideSignal, (decision) => {
    const parsed = DecisionInputSchema.safeParse(decision);
    const check = parsed.success && patched(SIGNED_DECISION_SIGNALS_PATCH) ? verifiedRefusalFor : refusalFor;
    const refusal = parsed.success ? check(parsed.data)?.message : z.prettifyError(parsed.error);
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

  const inBackground = (work: Promise<void>): Promise<void> => {
    const task: Promise<void> = work
      .catch((err: unknown) => log.warn('background notification work failed', { runId, error: String(err) }))
      .finally(() => background.delete(task));
    background.add(task);
    return task;
  };

  const noticeFor = (action: ActionState, level: RiskLevel, stage: number, roles: string[]) =>
    buildApprovalNotice({
      runId,
      agent: input.agent,
      requester: input.requester,
      action,
      level,
      deadline: action.approvalDeadline ?? nowIso(),
      policy: policy as PolicySnapshot,
      stage,
      roles,
    });

  /** Announces the wait on `targets`; failures are recorded on the action, never fail it. */
  const announce = (action: ActionState, level: RiskLevel, stage: number, targets: readonly NotifyChannel[], roles: string[]): void => {
    const activePolicy = policy as PolicySnapshot;
    const notice = noticeFor(action, level, stage, roles);
    for (const channel of targets) {
      const task = inBackground(
        (async () => {
          const at = nowIso();
          let record: NotificationRecord;
          try {
            const result = await channels.notifyApprovers({ channel, notice, targets: activePolicy.channels ?? {} });
            record = { channel, stage, at, delivered: result.delivered, ...(result.detail ? { detail: result.detail } : {}), ...(result.slack ? { slack: result.slack } : {}) };
          } catch (err) {
            record = { channel, stage, at, delivered: false, detail: err instanceof Error ? describeFailure(err) : String(err) };
          }
          if (roles.length > 0) record.roles = roles;
          (action.notifications ??= []).push(record);
        })(),
      );
      pendingNotices.set(action.actionId, [...(pendingNotices.get(action.actionId) ?? []), task]);
    }
  };

  /** Rewrites the Slack messages of a finished wait with its outcome, whoever (or whatever) decided. */
  const publishOutcome = (action: ActionState, level: RiskLevel, outcome: 'approved' | 'denied' | 'timed_out'): void => {
    const pending = pendingNotices.get(action.actionId);
    if (!pending) return;
    void inBackground(
      (async () => {
        await Promise.allSettled(pending);
        const refs = (action.notifications ?? []).flatMap((n) => (n.slack ? [n.slack] : []));
        if (refs.length === 0) return;
        const notice = noticeFor(action, level, 0, []);
        const deciders = action.decisions.filter((d) => !d.automatic).map((d) => d.approver);
        await channels.publishApprovalOutcome({ slack: refs, notice, outcome, deciders });
      })(),
    );
  };

  /**
   * Waits for humans, climbing the level's escalation ladder while nobody decides; returns false when the wait
   * timed out (then the policy has denied the action).
   */
  const awaitApproval = async (action: ActionState, level: RiskLevel, gate: LevelGate): Promise<boolean> => {
    const timeoutMs = approvalTimeouts.get(action.actionId) ?? gate.timeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS;
    const startedAt = Date.now();
    action.requiredApprovals = gate.quorum;
    action.approvalDeadline = new Date(startedAt + timeoutMs).toISOString();
    setActionStatus(action, 'awaiting_approval');
    const summary = `approval of ${action.actionId} (${level} risk, ${gate.quorum} approver${gate.quorum > 1 ? 's' : ''})`;
    announce(action, level, 0, gate.notify ?? [], []);
    let decided = false;
    let stage = 0;
    for (const step of gate.escalation ?? []) {
      if (step.afterMs >= timeoutMs) break;
      decided = await condition(() => isDecided(action), Math.max(startedAt + step.afterMs - Date.now(), 1), { summary });
      if (decided) break;
      stage++;
      log.info('approval escalated', { runId, actionId: action.actionId, stage, channels: step.channels, roles: step.roles });
      announce(action, level, stage, step.channels.length > 0 ? step.channels : (gate.notify ?? []), step.roles);
    }
    if (!decided) {
      decided = await condition(() => isDecided(action), Math.max(startedAt + timeoutMs - Date.now(), 1), { summary });
    }
    if (!decided) {
      recordPolicyDecision(action, 'deny', [GATE_RULE_IDS.approvalTimeout], `no decision within ${formatDurationMs(timeoutMs)}`);
      setActionStatus(action, 'timed_out');
    }
    publishOutcome(action, level, !decided ? 'timed_out' : hasDenial(action) ? 'denied' : 'approved');
    return decided;
  };

  const processAction = async (action: ActionState): Promise<void> => {
    const activePolicy = policy as PolicySnapshot;
    try {
      // Summaries label the activity in the Temporal Web UI's event history.
      const scored = await control.assessRisk.executeWithOptions({ summary: `assess the risk of ${action.actionId}` }, [
        {
          language: action.language,
          code: action.code,
          policyVersion: activePolicy.version,
          ...(activePolicy.rules ? { rules: activePolicy.rules } : {}),
          ...(activePolicy.thresholds ? { thresholds: activePolicy.thresholds } : {}),
        },
      ]);
      // Asking for network makes an action at least medium; denylisted hosts or too many make it critical.
      const risk = withNetworkRisk(scored, action.network, activePolicy.network);
      action.risk = risk;
      action.codeSha256 = risk.codeSha256;
      state.highestRisk = state.highestRisk ? maxRiskLevel(state.highestRisk, risk.level) : risk.level;
      setActionStatus(action, 'assessed');

      const sandboxInput = sandboxInputs.get(action.actionId);
      const limitRefusal = limitsAboveBounds(sandboxInput?.limits, activePolicy.limitBounds);
      if (limitRefusal) {
        recordPolicyDecision(action, 'deny', [LIMITS_ABOVE_BOUND_RULE], limitRefusal);
        setActionStatus(action, 'denied');
        return;
      }
      const isolation = isolationFor(sandboxInput?.isolation, risk.level, activePolicy.isolation);
      action.isolation = isolation.isolation;

      const gate = gateFor(activePolicy, risk.level);
      if (gate.mode === 'deny') {
        recordPolicyDecision(action, 'deny', [GATE_RULE_IDS.deny(risk.level), ...risk.ruleIds], `${risk.level} risk is denied by policy`);
        setActionStatus(action, 'denied');
        return;
      }
      if (gate.mode === 'auto') {
        recordPolicyDecision(action, 'approve', [GATE_RULE_IDS.autoApprove(risk.level), ...risk.ruleIds], `${risk.level} risk is approved by policy`);
      } else if (!(await awaitApproval(action, risk.level, gate))) {
        return;
      }
      if (hasDenial(action)) {
        setActionStatus(action, 'denied');
        return;
      }
      setActionStatus(action, 'approved');

      setActionStatus(action, 'running');
      const summary = `run ${action.actionId} (${action.language}, ${isolation.isolation} isolation, ${action.limits.timeoutSec}s limit)`;
      const result = await sandboxActivities(action.limits.timeoutSec).executeCode.executeWithOptions({ summary }, [
        {
          runId,
          actionId: action.actionId,
          language: action.language,
          code: action.code,
          limits: action.limits,
          ...(action.network ? { network: action.network } : {}),
          isolation: isolation.isolation,
          whenStrongUnavailable: isolation.whenStrongUnavailable,
          ...(sandboxInput?.files ? { files: sandboxInput.files } : {}),
          ...(sandboxInput?.outputs ? { outputs: sandboxInput.outputs } : {}),
        },
      ]);
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

  // A continued run keeps the policy it pinned when it first started.
  policy = carried ? carried.policy : await control.loadPolicy.executeWithOptions({ summary: 'load and pin the approval policy' }, []);
  state.policyVersion = policy.version;

  if (input.closeWhenDone) {
    const initial = [...state.actions];
    void condition(() => initial.every((a) => isFinal(a.status))).then(() => close('done'));
  }

  const inFlight = new Set<Promise<void>>();
  /**
   * Continue-as-new only when nothing is in flight, nothing is queued or being handled and no notification is still
   * being retried, so nothing is lost. One-shot runs (closeWhenDone) close on their own instead. Reading
   * workflowInfo() adds no command: runs whose history stays short replay exactly as before.
   */
  const readyToContinueAsNew = (): boolean =>
    !input.closeWhenDone &&
    inFlight.size === 0 &&
    queue.length === 0 &&
    !state.closed &&
    background.size === 0 &&
    allHandlersFinished() &&
    historyIsLong(workflowInfo(), input.continueAsNewAfterEvents);
  for (;;) {
    const idle = inFlight.size === 0 && queue.length === 0 && !state.closed;
    if (idle && readyToContinueAsNew()) await continueAsNew(state, policy, input);
    const woke = idle
      ? await condition(() => queue.length > 0 || state.closed, input.idleTimeoutMs)
      : (await condition(() => queue.length > 0 || (state.closed && inFlight.size === 0) || readyToContinueAsNew()), true);
    if (!woke) close('idle');
    while (queue.length > 0) {
      const action = queue.shift() as ActionState;
      const task: Promise<void> = processAction(action).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    if (state.closed && inFlight.size === 0) break;
  }

  // Outcome updates and notifications still being retried finish before the run does.
  while (background.size > 0) await Promise.allSettled([...background]);
  // Let in-progress update handlers reply before the run completes.
  await condition(allHandlersFinished);
  publishStatus(true);
  return compactRunResult(state);
}

/**
 * Hands the run to a fresh execution under the same workflow id (clients address runs by that id, so they follow).
 * Search attributes are passed along explicitly so listings stay right.
 */
async function continueAsNew(state: RunState, policy: PolicySnapshot, input: StartRunConfig): Promise<never> {
  const info = workflowInfo();
  log.info('continuing as new', { runId: state.runId, historyLength: info.historyLength, actions: state.actions.length });
  const next: StartRunInput = {
    agent: input.agent,
    requester: input.requester,
    actions: [],
    closeWhenDone: false,
    ...(input.approvalTimeoutMs !== undefined ? { approvalTimeoutMs: input.approvalTimeoutMs } : {}),
    idleTimeoutMs: input.idleTimeoutMs,
    ...(input.continueAsNewAfterEvents !== undefined ? { continueAsNewAfterEvents: input.continueAsNewAfterEvents } : {}),
    carryOver: carryOverOf(state, policy),
  };
  return makeContinueAsNewFunc<typeof agentRun>({
    typedSearchAttributes: [
      { key: AGENT_ATTRIBUTE, value: state.agent },
      { key: STATUS_ATTRIBUTE, value: 'running' },
      { key: AWAITING_APPROVAL_ATTRIBUTE, value: false },
      ...(state.highestRisk ? [{ key: RISK_ATTRIBUTE, value: state.highestRisk }] : []),
    ],
  })(next);
}

function describeFailure(err: Error): string {
  const cause = (err as { cause?: Error }).cause;
  return cause && cause.message && cause.message !== err.message ? `${err.message}: ${cause.message}` : err.message;
}
