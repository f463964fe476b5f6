import type { DecisionKind } from '../schemas/decision.js';
import type { RunState } from '../schemas/run.js';
import { EXIT } from './exit-codes.js';
import { expectPositionals, parseCommandLine } from './parse-args.js';
import { CliError, UsageError } from './usage-error.js';

/** `airlock approve|deny` after parsing. */
export interface DecideArgs {
  decision: DecisionKind;
  runId: string;
  actionId?: string;
  approver: string;
  reason?: string;
}

const DECIDE_OPTIONS = {
  action: { type: 'string' },
  as: { type: 'string' },
  reason: { type: 'string' },
} as const;

/** Parses `airlock approve|deny` arguments (everything after the command). */
export function parseDecideArgs(decision: DecisionKind, argv: readonly string[]): DecideArgs {
  const command = decision === 'approve' ? 'approve' : 'deny';
  const { values, positionals } = parseCommandLine(command, argv, DECIDE_OPTIONS);
  const [runId] = expectPositionals(command, positionals, ['runId']) as [string];
  if (values.as === undefined || values.as.trim() === '') {
    throw new UsageError(`${command}: --as USER is required (the person deciding)`);
  }
  return { decision, runId, actionId: values.action, approver: values.as, reason: values.reason };
}

/** Without --action: the one action awaiting approval; an error when there is none or more than one. */
export function pickPendingAction(state: Pick<RunState, 'runId' | 'actions'>): string {
  const pending = state.actions.filter((action) => action.status === 'awaiting_approval');
  const [only] = pending;
  if (pending.length === 1 && only) return only.actionId;
  if (pending.length === 0) {
    throw new CliError(`run ${state.runId} has no action awaiting approval`, EXIT.error);
  }
  const ids = pending.map((action) => action.actionId).join(', ');
  throw new CliError(
    `run ${state.runId} has ${pending.length} actions awaiting approval (${ids}): choose one with --action`,
    EXIT.usage,
  );
}
