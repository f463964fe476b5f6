/**
 * Continue-as-new for long sessions: when an idle run's history has grown large, the run hands a compact record of
 * itself to a fresh execution under the same workflow id. Pure helpers, so the rules can be tested without a server.
 */
import type { ActionState, RunCarryOver, RunState } from '../schemas/run.js';
import type { PolicySnapshot } from '../schemas/policy.js';
import { DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS } from '../schemas/run.js';
import { utf8ByteLength } from '../schemas/utf8.js';

/** What the workflow knows about its own history (a subset of workflowInfo()). */
export interface HistoryInfo {
  historyLength: number;
  continueAsNewSuggested: boolean;
}

/** True when the history is long enough to start over: the server says so, or it passed the run's threshold. */
export function historyIsLong(info: HistoryInfo, threshold = DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS): boolean {
  return info.continueAsNewSuggested || info.historyLength > threshold;
}

/**
 * Bytes of inline output previews a carry-over keeps, newest actions first. A client that waits for an action often
 * reads it just after a continue-as-new, so recent previews stay; older ones are dropped (`inlineComplete: false`,
 * the sha256 points at the full output in the artifact store) to keep the next execution's input small.
 */
export const CARRIED_PREVIEW_BUDGET_BYTES = 256 * 1024;

/** A finished action in compact form: the code is dropped (its sha256 stays), and the previews unless `keepPreviews`. */
export function compactCarriedAction(action: ActionState, keepPreviews = false): ActionState {
  const compact: ActionState = { ...action, code: '', codeOmitted: true, carriedOver: true };
  if (action.result && !keepPreviews) {
    compact.result = {
      ...action.result,
      stdout: { ...action.result.stdout, text: '', inlineComplete: false },
      stderr: { ...action.result.stderr, text: '', inlineComplete: false },
    };
  }
  return compact;
}

function previewBytes(action: ActionState): number {
  return action.result ? utf8ByteLength(action.result.stdout.text) + utf8ByteLength(action.result.stderr.text) : 0;
}

/** The carry-over of an idle run (every action is final at that point). */
export function carryOverOf(state: RunState, policy: PolicySnapshot, previewBudget = CARRIED_PREVIEW_BUDGET_BYTES): RunCarryOver {
  let budget = previewBudget;
  const newestFirst = [...state.actions].reverse().map((action) => {
    const bytes = previewBytes(action);
    const keepPreviews = bytes <= budget;
    if (keepPreviews) budget -= bytes;
    return compactCarriedAction(action, keepPreviews);
  });
  return {
    policy,
    startedAt: state.startedAt,
    ...(state.highestRisk ? { highestRisk: state.highestRisk } : {}),
    ignoredDecisions: state.ignoredDecisions,
    actions: newestFirst.reverse(),
  };
}
