/**
 * The suite's own time bound, so that CI stays bounded even when several faults run into their own bounds: each
 * fault gets at most what is left of the budget, and a fault that would get less than a useful minimum is not run
 * and counts as failed (a skipped fault never passes).
 */
import type { Fault, FaultRow } from './fault.js';

/** Below this a fault cannot even start its workers on a busy 2-core machine. */
export const MIN_FAULT_MS = 60_000;

/** The fault with its bound cut to what is left, or undefined when too little is left to run it. */
export function withinBudget(fault: Fault, remainingMs: number): Fault | undefined {
  if (remainingMs < MIN_FAULT_MS) return undefined;
  return remainingMs >= fault.timeoutMs ? fault : { ...fault, timeoutMs: remainingMs };
}

/** The failed row of a fault the budget left no time for. */
export function notRunRow(fault: Fault, budgetMs: number): FaultRow {
  return {
    fault: fault.name,
    runs: 0,
    lost: 0,
    duplicated: 0,
    orphaned: 0,
    declaredRetries: 0,
    seconds: 0,
    passed: false,
    notes: [`not run: the suite's time budget of ${Math.round(budgetMs / 60_000)} min was spent`],
  };
}
