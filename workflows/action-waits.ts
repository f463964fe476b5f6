/**
 * The `awaitActions` update: a client waiting for actions holds one update open and the workflow answers it the
 * moment the actions get there (a `condition`, re-checked after every state change), so nobody polls on a timer.
 * It adds no command unless the caller bounds the wait (then a timer), and it never blocks continue-as-new for long:
 * a waiter is pending only while an action is in flight, and the run continues only when none is.
 */
import { condition } from '@temporalio/workflow';
import { AwaitActionsInputSchema, type AwaitActionsInput, type AwaitActionsResult } from '../schemas/action-wait.js';
import type { RunState } from '../schemas/run.js';
import { actionsReached, unknownActionIds } from './actions-reached.js';
import { parseOrReject } from './parse-or-reject.js';
import { compactRunResult } from './run-result.js';

/** Throws a readable error for a wait this run cannot answer (update validators reject by throwing). */
export function validateAwaitActions(state: RunState, raw: unknown): void {
  const request = parseOrReject(AwaitActionsInputSchema, raw, 'wait');
  const unknown = unknownActionIds(state, request.actionIds);
  if (unknown.length > 0) throw new Error(`run ${state.runId} has no action ${unknown.join(', ')}`);
}

/** Resolves when the selected actions reach `until` (or `timeoutMs` passes), with the run's state then. */
export async function awaitActions(state: RunState, raw: AwaitActionsInput): Promise<AwaitActionsResult> {
  const request = AwaitActionsInputSchema.parse(raw);
  const reached = () => actionsReached(state, request.actionIds, request.until);
  const inTime = request.timeoutMs === undefined ? (await condition(reached), true) : await condition(reached, request.timeoutMs);
  // The answer enters history: the same cap as the run's result keeps it under Temporal's payload limit.
  return { reached: inTime || reached(), state: compactRunResult(state) };
}
