import type { RunState } from '../schemas/run.js';
import { utf8ByteLength } from '../schemas/utf8.js';

/**
 * Temporal refuses a workflow result over 2 MB, and a long session's code alone can pass that. Above this size the
 * result leaves out the code of each action (its sha256 stays, and the code itself is in the history as the input
 * that submitted it), so the run can always complete.
 */
export const MAX_RESULT_BYTES = 1_500_000;

export function compactRunResult(state: RunState, maxBytes = MAX_RESULT_BYTES): RunState {
  if (utf8ByteLength(JSON.stringify(state)) <= maxBytes) return state;
  return { ...state, actions: state.actions.map((action) => ({ ...action, code: '', codeOmitted: true })) };
}
