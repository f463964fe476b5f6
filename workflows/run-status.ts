import { FINAL_ACTION_STATUSES, isUnsuccessful, type ActionStatus } from '../schemas/action.js';
import type { RunState, RunStatus } from '../schemas/run.js';

export function isFinal(status: ActionStatus): boolean {
  return FINAL_ACTION_STATUSES.includes(status);
}

/**
 * The run's status for search attributes and listings. While open: `awaiting_approval` when any action waits for a
 * human, else `running`. Once ended: `failed` when any action failed, was denied or timed out; `completed` when
 * every action succeeded; `closed` when it ended without running any action.
 */
export function runStatusOf(state: Pick<RunState, 'actions'>, ended: boolean): RunStatus {
  const statuses = state.actions.map((a) => a.status);
  if (!ended) return statuses.includes('awaiting_approval') ? 'awaiting_approval' : 'running';
  if (statuses.length === 0) return 'closed';
  if (statuses.some(isUnsuccessful)) return 'failed';
  return 'completed';
}
