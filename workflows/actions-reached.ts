import { FINAL_ACTION_STATUSES, type ActionStatus } from '../schemas/action.js';
import type { WaitUntil } from '../schemas/action-wait.js';
import type { RunState, RunStatus } from '../schemas/run.js';

/**
 * Run statuses after which the workflow makes no more progress. (`closed` is not among them: a closed run still
 * finishes the actions it already has.)
 */
const ENDED_RUN_STATUSES: readonly RunStatus[] = ['completed', 'failed'];

/** Ids of selected actions the run does not know (the caller asked about an action never submitted). */
export function unknownActionIds(state: RunState, actionIds: readonly string[] | undefined): string[] {
  if (!actionIds) return [];
  const known = new Set(state.actions.map((action) => action.actionId));
  return actionIds.filter((id) => !known.has(id));
}

function isSettled(status: ActionStatus, until: WaitUntil): boolean {
  if (FINAL_ACTION_STATUSES.includes(status)) return true;
  return until === 'decision-needed' && status === 'awaiting_approval';
}

/**
 * True when the selected actions (all of the run's when none are named) have reached `until`. Pure, so the
 * workflow's `awaitActions` update and the SDK's query fallback judge a state the same way.
 */
export function actionsReached(state: RunState, actionIds: readonly string[] | undefined, until: WaitUntil): boolean {
  // An ended run moves no further: waiting longer could never change the answer.
  if (ENDED_RUN_STATUSES.includes(state.status)) return true;
  const selected = actionIds
    ? state.actions.filter((action) => actionIds.includes(action.actionId))
    : state.actions;
  return selected.every((action) => isSettled(action.status, until));
}
