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
  reason?: string;
  /** The content sha256 the person reviewed (`airlock status` shows it); refused if the action has other content. */
  contentSha256?: string;
}

const DECIDE_OPTIONS = {
  action: { type: 'string' },
  as: { type: 'string' },
  reason: { type: 'string' },
  sha256: { type: 'string' },
} as const;

/** Parses `airlock approve|deny` arguments (everything after the command). */
export function parseDecideArgs(decision: DecisionKind, argv: readonly string[]): DecideArgs {
  const command = decision === 'approve' ? 'approve' : 'deny';
  const { values, positionals } = parseCommandLine(command, argv, DECIDE_OPTIONS);
  const [runId] = expectPositionals(command, positionals, ['runId']) as [string];
  if (values.as !== undefined) {
    throw new UsageError(`${command}: --as is not accepted: you decide as the principal of your API token (airlock login, or AIRLOCK_TOKEN)`);
  }
  if (values.sha256 !== undefined && !/^[0-9a-f]{64}$/.test(values.sha256)) {
    throw new UsageError(`${command}: --sha256 must be the 64 hex digits of the action's content sha256 (see airlock status)`);
  }
  return {
    decision,
    runId,
    ...(values.action !== undefined ? { actionId: values.action } : {}),
    ...(values.reason !== undefined ? { reason: values.reason } : {}),
    ...(values.sha256 !== undefined ? { contentSha256: values.sha256 } : {}),
  };
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
