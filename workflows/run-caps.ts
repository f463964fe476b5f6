/**
 * Per-run caps, checked before any Temporal limit is reached: Temporal refuses a payload over 2 MB (the continue-as-new
 * carry-over is one) and a history over 50 MB. A run refuses the action that would pass a cap, with an error that
 * says which cap and what to do; the carry-over keeps a bounded record of each finished action. Pure.
 */
import type { ActionInput } from '../schemas/action.js';
import type { ActionState, RunCarryOver, RunState } from '../schemas/run.js';
import { utf8ByteLength } from '../schemas/utf8.js';

export const RUN_CAPS = {
  /** Actions over the whole life of a run, across continue-as-new (the carry-over keeps one record for each). */
  actions: 200,
  /**
   * Bytes of code taken by one execution of the run (the code is in its history: the submission, the risk check and
   * the sandbox request), far below Temporal's 50 MB history limit; after a continue-as-new the count starts over.
   */
  codeBytesPerExecution: 8 * 1024 * 1024,
  /** Egress attempts a carried action keeps (the newest); the rest are counted in `egressOmitted`. */
  carriedEgressPerAction: 20,
  /** Risk findings a carried action keeps (the first, in the code's order); level, score and rule ids stay whole. */
  carriedFindingsPerAction: 20,
  /** Ignored and refused decisions the carry-over keeps (the newest). */
  carriedIgnoredDecisions: 100,
  /**
   * Bytes of carried actions, JSON: past it, the oldest actions are carried as summaries (no findings, egress
   * attempts or reasons; hashes, statuses, decisions and counts stay). Leaves room under 2 MB for the policy.
   */
  carriedActionBytes: 1_200_000,
} as const;

/** Longest text a summary keeps of a task, a reason or an error. */
const SUMMARY_TEXT_CHARS = 80;

/** Why the run cannot take `action` without passing a cap, or undefined when it can. */
export function runCapRefusal(state: Pick<RunState, 'runId' | 'actions'>, action: Pick<ActionInput, 'code'>): string | undefined {
  if (state.actions.length >= RUN_CAPS.actions) {
    return `run ${state.runId} already has ${state.actions.length} actions, the most one run may hold: close it and start a new run`;
  }
  const taken = state.actions.filter((a) => !a.carriedOver).reduce((sum, a) => sum + utf8ByteLength(a.code), 0);
  const bytes = utf8ByteLength(action.code);
  if (taken + bytes > RUN_CAPS.codeBytesPerExecution) {
    return (
      `run ${state.runId} has taken ${taken} bytes of code since it last started over, and this action's ${bytes} bytes ` +
      `would pass the ${RUN_CAPS.codeBytesPerExecution}-byte cap: submit it again once the run's actions have finished ` +
      '(an idle run with a long history starts over), or start a new run'
    );
  }
  return undefined;
}

/** A carried action with its lists bounded: the newest egress attempts, the first findings, no file previews. */
export function boundCarriedAction(action: ActionState): ActionState {
  const bounded: ActionState = { ...action };
  if (action.risk && action.risk.findings.length > RUN_CAPS.carriedFindingsPerAction) {
    bounded.risk = { ...action.risk, findings: action.risk.findings.slice(0, RUN_CAPS.carriedFindingsPerAction) };
  }
  if (action.inputFiles) {
    bounded.inputFiles = action.inputFiles.map(({ preview: _preview, previewTruncated: _truncated, ...file }) => file);
  }
  const egress = action.result?.egress;
  if (action.result && egress && egress.length > RUN_CAPS.carriedEgressPerAction) {
    const dropped = egress.length - RUN_CAPS.carriedEgressPerAction;
    bounded.result = {
      ...action.result,
      egress: egress.slice(dropped),
      egressOmitted: (action.result.egressOmitted ?? 0) + dropped,
    };
  }
  return bounded;
}

function clip(text: string | undefined): string | undefined {
  return text === undefined || text.length <= SUMMARY_TEXT_CHARS ? text : `${text.slice(0, SUMMARY_TEXT_CHARS)}…`;
}

/**
 * The smallest record of a finished action that still says what it was and how it ended: the full record is in the
 * history of the execution that ran it (`airlock audit` reads every execution).
 */
export function summarizeCarriedAction(action: ActionState): ActionState {
  const { inputFiles: _files, notifications: _notifications, ...rest } = action;
  const summary: ActionState = {
    ...rest,
    ...(action.task !== undefined ? { task: clip(action.task) as string } : {}),
    ...(action.error !== undefined ? { error: clip(action.error) as string } : {}),
    decisions: action.decisions.map(({ reason, ...decision }) => ({ ...decision, ...(reason !== undefined ? { reason: clip(reason) as string } : {}) })),
  };
  if (action.risk) summary.risk = { ...action.risk, findings: [] };
  if (action.result) {
    const { egress, attempts: _attempts, maskedSecrets: _masked, ...result } = action.result;
    summary.result = { ...result, ...(egress ? { egress: [], egressOmitted: egress.length + (action.result.egressOmitted ?? 0) } : {}) };
  }
  return summary;
}

function jsonBytes(value: unknown): number {
  return utf8ByteLength(JSON.stringify(value));
}

/** The carry-over with every list bounded by RUN_CAPS, and the oldest actions summarized past the byte budget. */
export function boundCarryOver(carry: RunCarryOver): RunCarryOver {
  const actions = carry.actions.map(boundCarriedAction);
  const sizes = actions.map(jsonBytes);
  let total = sizes.reduce((sum, bytes) => sum + bytes, 0);
  for (let i = 0; i < actions.length && total > RUN_CAPS.carriedActionBytes; i++) {
    const summary = summarizeCarriedAction(actions[i]!);
    const bytes = jsonBytes(summary);
    total += bytes - sizes[i]!;
    actions[i] = summary;
  }
  return { ...carry, ignoredDecisions: carry.ignoredDecisions.slice(-RUN_CAPS.carriedIgnoredDecisions), actions };
}
