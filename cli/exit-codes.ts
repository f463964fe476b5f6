import type { RunState } from '../schemas/run.js';

/** Process exit codes of the `airlock` CLI. */
export const EXIT = {
  /** Everything asked for happened; every finished action succeeded. */
  ok: 0,
  /** An action's code failed (non-zero exit, timeout, out of memory, sandbox error). */
  actionFailed: 1,
  /** The command line or its input was wrong (flags, file, language, code size). */
  usage: 2,
  /** An action was denied or its approval timed out. */
  denied: 3,
  /** Airlock could not do it: Temporal unreachable, unknown run, decision refused. */
  error: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Exit code for a run's outcome. A denial outranks a failure: it means the run did not do what was asked at all,
 * which is what a calling script most needs to know.
 */
export function exitCodeForRun(state: Pick<RunState, 'actions'>): ExitCode {
  const statuses = state.actions.map((action) => action.status);
  if (statuses.some((status) => status === 'denied' || status === 'timed_out')) return EXIT.denied;
  if (statuses.some((status) => status === 'failed')) return EXIT.actionFailed;
  return EXIT.ok;
}
