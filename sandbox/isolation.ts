import type { IsolationLevel } from '../schemas/action.js';
import { StrongIsolationUnavailableError } from './sandbox-errors.js';

/** OCI runtime that gives `strong` isolation: gVisor, registered with the engine by the set-up. */
export const STRONG_RUNTIME = 'runsc';

/** Which runtime an execution gets, and what the result must say about it. */
export interface RuntimeChoice {
  /** Runtime to pass to the engine; undefined means the engine's default (runc). */
  runtime: string | undefined;
  isolation: IsolationLevel;
  /** Set when `strong` was asked for but `standard` runs. */
  fallback?: string;
}

/**
 * Picks the OCI runtime for a requested isolation level from the runtimes the engine has. Pure. `strong` without
 * gVisor either throws {@link StrongIsolationUnavailableError} or, when allowed, runs `standard` and says why:
 * never a silent downgrade.
 */
export function chooseRuntime(input: {
  requested: IsolationLevel | undefined;
  whenStrongUnavailable: 'fail' | 'fallback' | undefined;
  engineRuntimes: readonly string[];
  standardRuntime?: string;
  strongRuntime?: string;
}): RuntimeChoice {
  const strongRuntime = input.strongRuntime ?? STRONG_RUNTIME;
  const standard: RuntimeChoice = { runtime: input.standardRuntime, isolation: 'standard' };
  if ((input.requested ?? 'standard') === 'standard') return standard;
  if (input.engineRuntimes.includes(strongRuntime)) return { runtime: strongRuntime, isolation: 'strong' };
  if (input.whenStrongUnavailable === 'fallback') {
    return { ...standard, fallback: `strong isolation requested but the ${strongRuntime} runtime is not installed on this Docker host` };
  }
  throw new StrongIsolationUnavailableError(strongRuntime, input.engineRuntimes);
}
