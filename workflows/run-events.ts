/**
 * The events of a run, derived from its state alone: `action.awaiting_approval`, `action.decided`,
 * `action.finished`, `run.closed`. Each has an id that is the same however often it is derived (run, action, kind,
 * ordinal), so a receiver drops duplicates by id and a reconnecting stream resumes after the last id it saw. Pure:
 * the API streams them (server-sent events) and the workflow pushes them to the run's callback URL.
 */
import type { RunEventType } from '../schemas/callback.js';
import type { ActionState, RunState } from '../schemas/run.js';

export { RUN_EVENT_TYPES, type RunEventType } from '../schemas/callback.js';

export interface RunEvent {
  /** Stable delivery id: `<runId>/<actionId>/<kind>[/<n>]`, or `<runId>/closed`. */
  id: string;
  type: RunEventType;
  /** When it happened (ISO-8601), as far as the state tells; events are ordered by it. */
  at: string;
  runId: string;
  actionId?: string;
  data: Record<string, unknown>;
}

const FINISHED = new Set(['succeeded', 'failed', 'denied', 'timed_out']);
/** A run whose workflow has ended accepts nothing more. */
const RUN_ENDED = new Set(['completed', 'failed', 'closed']);

/**
 * Every event the state shows has happened, oldest first. New events always sort after the ones already derived
 * (they happen later), so "everything after the last id I saw" is a suffix of the list.
 */
export function runEvents(run: RunState): RunEvent[] {
  const events: RunEvent[] = [];
  for (const action of run.actions) events.push(...actionEvents(run.runId, action));
  // Stable: events of one action at the same instant keep their causal order.
  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  if (RUN_ENDED.has(run.status)) {
    const at = events.at(-1)?.at ?? new Date(0).toISOString();
    events.push({ id: `${run.runId}/closed`, type: 'run.closed', at, runId: run.runId, data: { status: run.status } });
  }
  return events;
}

function actionEvents(runId: string, action: ActionState): RunEvent[] {
  const base = { runId, actionId: action.actionId };
  const prefix = `${runId}/${action.actionId}`;
  const events: RunEvent[] = [];
  const human = action.decisions.filter((d) => !d.automatic);
  // An action that needed a person waited for one, whether it is still waiting or was decided (or timed out) since.
  if (action.requiredApprovals > 0 && (action.status === 'awaiting_approval' || human.length > 0 || action.status === 'timed_out')) {
    events.push({
      ...base,
      id: `${prefix}/awaiting_approval`,
      type: 'action.awaiting_approval',
      at: action.submittedAt,
      data: { risk: action.risk?.level, requiredApprovals: action.requiredApprovals, approvalDeadline: action.approvalDeadline },
    });
  }
  action.decisions.forEach((decision, index) => {
    events.push({
      ...base,
      id: `${prefix}/decided/${index + 1}`,
      type: 'action.decided',
      at: decision.at,
      data: {
        decision: decision.decision,
        approver: decision.approver,
        channel: decision.channel,
        automatic: decision.automatic,
        at: decision.at,
        ...(decision.reason !== undefined ? { reason: decision.reason } : {}),
      },
    });
  });
  if (FINISHED.has(action.status)) {
    events.push({
      ...base,
      id: `${prefix}/finished`,
      type: 'action.finished',
      at: action.updatedAt,
      data: {
        status: action.status,
        ...(action.result ? { exitCode: action.result.exitCode, timedOut: action.result.timedOut, oomKilled: action.result.oomKilled } : {}),
      },
    });
  }
  return events;
}

/** An event as receivers get it, on the stream and in a callback body alike. */
export function runEventPayload(event: RunEvent): Record<string, unknown> {
  return { id: event.id, type: event.type, at: event.at, runId: event.runId, ...(event.actionId ? { actionId: event.actionId } : {}), ...event.data };
}
