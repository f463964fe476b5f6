/**
 * Builds the audit report of one run from its decoded history: per action, when it was submitted, how it was
 * assessed, every decision (who, channel, when, why, policy version, rule ids) and what the sandbox did. The final
 * RunState, when available, supplies what only the workflow knows (automatic decisions, current status); the
 * history supplies the times and how each message arrived.
 */
import { actionIdAt, actionOrdinal } from '../schemas/action.js';
import type { DecisionChannel, DecisionKind } from '../schemas/decision.js';
import { ExecutionAttemptSchema, type ExecutionAttempt, type ExecutionResult } from '../schemas/execution.js';
import type { RiskAssessment, RiskFinding, RiskLevel } from '../schemas/risk.js';
import type { ActionState, RunState } from '../schemas/run.js';
import { closeSignal, closeUpdate, decideSignal, decideUpdate, submitActionUpdate } from '../workflows/messages.js';
import { ACTIVITY_TYPES } from '../workflows/activity-types.js';
import type { AuditEvent } from './audit-events.js';

/** One decision on an action, with how it reached the workflow. */
export interface AuditDecision {
  decision: DecisionKind;
  approver: string;
  channel: DecisionChannel;
  reason?: string;
  at: string;
  automatic: boolean;
  policyVersion?: string;
  ruleIds?: string[];
  /** `policy`: made by the workflow itself; `update`/`signal`: the message that carried it. */
  via: 'policy' | 'update' | 'signal';
  /** History event of the message that carried it. */
  eventId?: number;
  /** For human decisions: the policy signer key whose signature the workflow verified. */
  signerKeyId?: string;
}

/** A decision message the workflow accepted but did not count (e.g. an invalid fire-and-forget signal). */
export interface AuditIgnoredDecision {
  approver: string;
  decision: string;
  at: string;
  /** `refused-update`: a `decide` update the validator refused, as the deciding service reported it (signed). */
  via: 'update' | 'signal' | 'refused-update';
  /** The refusal type, for refused updates. */
  refusal?: string;
  eventId: number;
  reason?: string;
}

export interface AuditOutput {
  sha256: string;
  bytes: number;
  truncated: boolean;
}

export interface AuditExecution {
  scheduledAt?: string;
  startedAt?: string;
  completedAt?: string;
  attempts?: number;
  exitCode: number | null;
  timedOut: boolean;
  oomKilled: boolean;
  durationMs: number;
  stdout: AuditOutput;
  stderr: AuditOutput;
  sandbox: ExecutionResult['sandbox'];
  /** Attempts through the egress proxy (actions with an allowlist only), and how many more were not kept. */
  egress?: ExecutionResult['egress'];
  egressOmitted?: number;
  /** What the execution consumed and which limits it ran into (results recorded since accounting existed). */
  usage?: ExecutionResult['usage'];
  /** Files collected from the declared output paths: their hashes (content in the artifact store). */
  outputFiles?: { path: string; sha256: string; bytes: number }[];
  /** Every activity attempt, each with its own container (results recorded since per-attempt containers). */
  attemptRecords?: ExecutionAttempt[];
  /** The result is an earlier attempt's, picked up by a retry that ran nothing. */
  pickedUpFromAttempt?: number;
}

export interface AuditAssessment {
  at?: string;
  level: RiskLevel;
  score: number;
  findings: RiskFinding[];
  ruleIds: string[];
  policyVersion: string;
}

export interface AuditAction {
  actionId: string;
  language?: string;
  task?: string;
  codeSha256?: string;
  status?: string;
  submitted?: { at: string; via: 'start' | 'update'; eventId: number };
  assessed?: AuditAssessment;
  decisions: AuditDecision[];
  ignoredDecisions: AuditIgnoredDecision[];
  execution?: AuditExecution;
  /** Activity failures (retried or final) recorded for this action, with the attempts a refused retry found. */
  activityFailures: { activityType: string; at: string; message: string; attempts?: ExecutionAttempt[] }[];
  error?: string;
}

export interface AuditReport {
  runId: string;
  agent?: string;
  requester?: string;
  status?: string;
  policyVersion?: string;
  startedAt?: string;
  closeRequestedAt?: string;
  ended?: { at: string; outcome: string; message?: string };
  actions: AuditAction[];
}

type Record_ = Record<string, unknown>;

function isObject(value: unknown): value is Record_ {
  return typeof value === 'object' && value !== null;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function outputSummary(output: ExecutionResult['stdout']): AuditOutput {
  return { sha256: output.sha256, bytes: output.bytes, truncated: output.truncated };
}

function executionFrom(result: ExecutionResult): AuditExecution {
  return {
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    oomKilled: result.oomKilled,
    durationMs: result.durationMs,
    stdout: outputSummary(result.stdout),
    stderr: outputSummary(result.stderr),
    sandbox: result.sandbox,
    ...(result.egress ? { egress: result.egress } : {}),
    ...(result.egressOmitted ? { egressOmitted: result.egressOmitted } : {}),
    ...(result.usage ? { usage: result.usage } : {}),
    ...(result.outputFiles
      ? { outputFiles: result.outputFiles.map(({ path, sha256, bytes }) => ({ path, sha256, bytes })) }
      : {}),
    ...(result.attempts ? { attemptRecords: result.attempts } : {}),
    ...(result.pickedUpFromAttempt ? { pickedUpFromAttempt: result.pickedUpFromAttempt } : {}),
  };
}

/** Attempt records carried in a failure's details (a refused at-most-once retry); empty when there are none. */
function attemptsInDetails(details: readonly unknown[] | undefined): ExecutionAttempt[] {
  const first = details?.[0];
  if (!isObject(first) || !Array.isArray(first.attempts)) return [];
  return first.attempts.flatMap((a: unknown) => {
    const parsed = ExecutionAttemptSchema.safeParse(a);
    return parsed.success ? [parsed.data] : [];
  });
}

function assessmentFrom(risk: NonNullable<ActionState['risk']>, at?: string): AuditAssessment {
  return {
    at,
    level: risk.level,
    score: risk.score,
    findings: risk.findings,
    ruleIds: risk.ruleIds,
    policyVersion: risk.policyVersion,
  };
}

interface DecisionMessage {
  actionId: string;
  decision: string;
  approver: string;
  channel: string;
  reason?: string;
  at: string;
  via: 'update' | 'signal';
  eventId: number;
  counted: boolean;
  failure?: string;
  signerKeyId?: string;
}

function decisionMessageFrom(arg: unknown, event: AuditEvent, via: 'update' | 'signal'): DecisionMessage | undefined {
  if (!isObject(arg)) return undefined;
  return {
    actionId: str(arg.actionId) ?? '',
    decision: str(arg.decision) ?? '',
    approver: str(arg.approver) ?? '',
    channel: str(arg.channel) ?? '',
    reason: str(arg.reason),
    at: event.at,
    via,
    eventId: event.eventId,
    counted: via === 'update',
    ...(isObject(arg.signature) && typeof arg.signature.keyId === 'string' ? { signerKeyId: arg.signature.keyId } : {}),
  };
}

class ActionIndex {
  private readonly byId = new Map<string, AuditAction>();

  get(actionId: string): AuditAction {
    let action = this.byId.get(actionId);
    if (!action) {
      action = { actionId, decisions: [], ignoredDecisions: [], activityFailures: [] };
      this.byId.set(actionId, action);
    }
    return action;
  }

  has(actionId: string): boolean {
    return this.byId.has(actionId);
  }

  all(): AuditAction[] {
    // a1, a2, ... a10: order by the number, not the string.
    return [...this.byId.values()].sort((x, y) => actionOrdinal(x.actionId) - actionOrdinal(y.actionId));
  }
}

/**
 * Which action each activity of one history worked on. Every activity input about an action carries its
 * `actionId`. Histories recorded before that have it on `executeCode` only; their `assessRisk` activities are
 * matched by order instead: the workflow assesses each action first thing, in the order the actions were
 * submitted, so the n-th keyless `assessRisk` belongs to the n-th action submitted in this history.
 */
class ActivityOwners {
  private readonly byScheduledEvent = new Map<number, string>();
  private keylessAssessments = 0;

  constructor(private readonly submittedHere: readonly string[]) {}

  /** Records the action of an activity as it is scheduled; undefined when the activity concerns no action. */
  scheduled(event: Extract<AuditEvent, { kind: 'activity-scheduled' }>): string | undefined {
    const input = isObject(event.input) ? event.input : {};
    let actionId = str(input.actionId);
    if (!actionId && event.activityType === ACTIVITY_TYPES.assessRisk) actionId = this.submittedHere[this.keylessAssessments++];
    if (actionId) this.byScheduledEvent.set(event.eventId, actionId);
    return actionId;
  }

  of(scheduledEventId: number): string | undefined {
    return this.byScheduledEvent.get(scheduledEventId);
  }
}

/** The ids of the actions submitted in this history (with the start input or by update), in submission order. */
function actionsSubmittedIn(events: readonly AuditEvent[]): string[] {
  const submitUpdates = new Set<number>();
  const ids: string[] = [];
  for (const event of events) {
    if (event.kind === 'started' && isObject(event.input) && Array.isArray(event.input.actions)) {
      event.input.actions.forEach((_input: unknown, index) => ids.push(actionIdAt(index)));
    } else if (event.kind === 'update-accepted' && event.name === submitActionUpdate.name) {
      submitUpdates.add(event.eventId);
    } else if (event.kind === 'update-completed' && submitUpdates.has(event.acceptedEventId) && isObject(event.result)) {
      const actionId = str(event.result.actionId);
      if (actionId) ids.push(actionId);
    }
  }
  return ids.sort((x, y) => actionOrdinal(x) - actionOrdinal(y));
}

/** Builds the report from decoded history events and, when it could be read, the run's final state. */
export function buildAuditReport(params: { runId: string; events: readonly AuditEvent[]; state?: RunState }): AuditReport {
  const { runId, events } = params;
  const state = params.state ?? finalStateFromHistory(events);
  const report: AuditReport = { runId, actions: [] };
  const actions = new ActionIndex();
  const owners = new ActivityOwners(actionsSubmittedIn(events));
  const acceptedUpdates = new Map<number, Extract<AuditEvent, { kind: 'update-accepted' }>>();
  const decisionMessages: DecisionMessage[] = [];
  const decisionUpdates = new Map<number, DecisionMessage>();
  const scheduled = new Map<number, Extract<AuditEvent, { kind: 'activity-scheduled' }> & { startedAt?: string; attempts?: number }>();

  for (const event of events) {
    switch (event.kind) {
      case 'started': {
        report.startedAt = event.at;
        if (isObject(event.input)) {
          report.agent = str(event.input.agent);
          report.requester = str(event.input.requester);
          const initial = Array.isArray(event.input.actions) ? event.input.actions : [];
          initial.forEach((input: unknown, index) => {
            const action = actions.get(actionIdAt(index));
            action.submitted = { at: event.at, via: 'start', eventId: event.eventId };
            if (isObject(input)) {
              action.language = str(input.language);
              action.task = str(input.task);
            }
          });
        }
        break;
      }
      case 'update-accepted': {
        acceptedUpdates.set(event.eventId, event);
        if (event.name === decideUpdate.name) {
          const message = decisionMessageFrom(event.args[0], event, 'update');
          if (message) {
            decisionUpdates.set(event.eventId, message);
            decisionMessages.push(message);
          }
        } else if (event.name === closeUpdate.name) {
          report.closeRequestedAt ??= event.at;
        }
        break;
      }
      case 'update-completed': {
        const accepted = acceptedUpdates.get(event.acceptedEventId);
        if (!accepted) break;
        if (accepted.name === submitActionUpdate.name && isObject(event.result)) {
          const actionId = str(event.result.actionId);
          if (!actionId) break;
          const action = actions.get(actionId);
          action.submitted = { at: accepted.at, via: 'update', eventId: accepted.eventId };
          const input = accepted.args[0];
          if (isObject(input)) {
            action.language = str(input.language);
            action.task = str(input.task);
          }
        } else if (accepted.name === decideUpdate.name && event.failure) {
          const message = decisionUpdates.get(accepted.eventId);
          if (message) {
            message.counted = false;
            message.failure = event.failure;
          }
        }
        break;
      }
      case 'signal': {
        if (event.name === decideSignal.name) {
          const message = decisionMessageFrom(event.args[0], event, 'signal');
          if (message) decisionMessages.push(message);
        } else if (event.name === closeSignal.name) {
          report.closeRequestedAt ??= event.at;
        }
        break;
      }
      case 'activity-scheduled':
        scheduled.set(event.eventId, { ...event });
        owners.scheduled(event);
        break;
      case 'activity-started': {
        const activity = scheduled.get(event.scheduledEventId);
        if (activity) {
          activity.startedAt = event.at;
          activity.attempts = event.attempt;
        }
        break;
      }
      case 'activity-completed': {
        const activity = scheduled.get(event.scheduledEventId);
        const actionId = owners.of(event.scheduledEventId);
        if (!activity || !actionId || !isObject(event.result)) break;
        if (activity.activityType === ACTIVITY_TYPES.executeCode) {
          actions.get(actionId).execution = {
            scheduledAt: activity.at,
            startedAt: activity.startedAt,
            completedAt: event.at,
            attempts: activity.attempts,
            ...executionFrom(event.result as ExecutionResult),
          };
        } else if (activity.activityType === ACTIVITY_TYPES.assessRisk) {
          const risk = event.result as RiskAssessment;
          actions.get(actionId).assessed = {
            at: event.at,
            level: risk.level,
            score: risk.score,
            findings: risk.findings,
            ruleIds: risk.ruleIds ?? [],
            policyVersion: risk.policyVersion,
          };
        }
        break;
      }
      case 'activity-failed': {
        const activity = scheduled.get(event.scheduledEventId);
        const actionId = owners.of(event.scheduledEventId);
        if (activity && actionId) {
          const attempts = attemptsInDetails(event.details);
          actions.get(actionId).activityFailures.push({
            activityType: activity.activityType,
            at: event.at,
            message: event.failure,
            ...(attempts.length > 0 ? { attempts } : {}),
          });
        }
        break;
      }
      case 'workflow-completed':
        report.ended = { at: event.at, outcome: 'completed' };
        break;
      case 'workflow-ended':
        report.ended = { at: event.at, outcome: event.outcome, message: event.message };
        break;
    }
  }

  if (state) mergeState(report, actions, state, decisionMessages);
  else attachHistoryDecisions(actions, decisionMessages);
  report.actions = actions.all();
  return report;
}

function finalStateFromHistory(events: readonly AuditEvent[]): RunState | undefined {
  for (const event of events) {
    if (event.kind !== 'workflow-completed') continue;
    const result = event.result;
    if (isObject(result) && typeof result.runId === 'string' && Array.isArray(result.actions)) {
      return result as unknown as RunState;
    }
  }
  return undefined;
}

function ignoredFrom(message: DecisionMessage): AuditIgnoredDecision {
  return {
    approver: message.approver,
    decision: message.decision,
    at: message.at,
    via: message.via,
    eventId: message.eventId,
    reason: message.failure,
  };
}

/** Without the workflow's state only the messages are known: counted updates become decisions. */
function attachHistoryDecisions(actions: ActionIndex, messages: readonly DecisionMessage[]): void {
  for (const message of messages) {
    if (!message.actionId) continue;
    const action = actions.get(message.actionId);
    if (!message.counted) {
      action.ignoredDecisions.push(ignoredFrom(message));
      continue;
    }
    action.decisions.push({
      decision: message.decision as DecisionKind,
      approver: message.approver,
      channel: message.channel as DecisionChannel,
      reason: message.reason,
      at: message.at,
      automatic: false,
      via: message.via,
      eventId: message.eventId,
      ...(message.signerKeyId ? { signerKeyId: message.signerKeyId } : {}),
    });
  }
}

/** Lays the workflow's own record over what the history showed; history keeps the times and message origin. */
function mergeState(
  report: AuditReport,
  actions: ActionIndex,
  state: RunState,
  messages: readonly DecisionMessage[],
): void {
  report.status = state.status;
  report.policyVersion = state.policyVersion;
  report.agent ??= state.agent;
  report.requester ??= state.requester;
  const used = new Set<DecisionMessage>();
  for (const stateAction of state.actions) {
    const action = actions.get(stateAction.actionId);
    action.language = stateAction.language;
    action.task = stateAction.task;
    action.codeSha256 = stateAction.codeSha256;
    action.status = stateAction.status;
    action.error = stateAction.error;
    action.submitted ??= { at: stateAction.submittedAt, via: 'update', eventId: 0 };
    if (stateAction.risk) action.assessed = assessmentFrom(stateAction.risk, action.assessed?.at);
    if (!action.execution && stateAction.result) action.execution = executionFrom(stateAction.result);
    for (const record of stateAction.decisions) {
      const message = record.automatic
        ? undefined
        : messages.find(
            (candidate) =>
              !used.has(candidate) &&
              candidate.actionId === stateAction.actionId &&
              candidate.approver === record.approver &&
              candidate.decision === record.decision,
          );
      if (message) used.add(message);
      action.decisions.push({
        decision: record.decision,
        approver: record.approver,
        channel: record.channel,
        reason: record.reason,
        at: record.at,
        automatic: record.automatic,
        policyVersion: record.policyVersion,
        ruleIds: record.ruleIds,
        via: record.automatic ? 'policy' : (message?.via ?? 'update'),
        eventId: message?.eventId,
        ...(record.signerKeyId ? { signerKeyId: record.signerKeyId } : {}),
      });
    }
  }
  for (const message of messages) {
    if (used.has(message) || !message.actionId || !actions.has(message.actionId)) continue;
    const recorded = state.ignoredDecisions?.find(
      (ignored) => ignored.refusal === undefined && ignored.actionId === message.actionId && ignored.approver === message.approver,
    );
    const ignored = ignoredFrom(message);
    ignored.reason ??= recorded?.reason;
    actions.get(message.actionId).ignoredDecisions.push(ignored);
  }
  // Refused updates are in the workflow's state only (the validator wrote nothing to history).
  for (const refused of state.ignoredDecisions ?? []) {
    if (refused.refusal === undefined || !actions.has(refused.actionId)) continue;
    actions.get(refused.actionId).ignoredDecisions.push({
      approver: refused.approver,
      decision: refused.decision ?? '',
      at: refused.at,
      via: 'refused-update',
      eventId: 0,
      reason: refused.reason,
      refusal: refused.refusal,
    });
  }
}
