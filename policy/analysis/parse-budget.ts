/**
 * The analysis budget of one action: how much parsing its code may take before the analyser stops reading it.
 * "Its code" is everything the scorer parses for one action: the action's code, its input files that are code and
 * constant code handed to an interpreter or eval, all drawing on one budget.
 *
 * The unit is tree-sitter's progress step: the parser calls its progress callback once per 100 or so parse
 * operations (shifts, reductions, error recovery). How many steps a text takes depends on the text and the grammar
 * alone, never on the machine, its load or the clock, so the same action under the same policy always stops at the
 * same place with the same score. A wall-clock timeout would not: a busy machine would hold what a quiet one
 * approves. Code that needs more steps than the budget is "not analysable" (at least medium), as anything else the
 * analyser cannot see through.
 */

/**
 * Steps one action may use unless its policy says otherwise. Dense code needs about 14 steps per KiB in Python,
 * 16 in JavaScript and 6.5 in bash; a string literal or here-document needs almost none, however long (a token is
 * one operation). 200 steps is about 14 KiB of dense Python, 12 KiB of JavaScript and 30 KiB of bash: more than a
 * hand-sized script, and small enough that the dearest action at the 256 KiB size limit (as much code as the budget
 * admits, then data) scores within the 50 ms target. 500 and 300 were measured over it, bash the dearest per step
 * (docs/security.md, "The analysis budget").
 */
export const DEFAULT_PARSE_BUDGET = 200;

/** Where a parse was stopped: the offset (UTF-16 code units into the text) the parser had reached. */
export interface BudgetStop {
  index: number;
}

/** The steps one action has left; shared by every parse of that action, in the scorer's fixed order. */
export class ParseBudget {
  private spentSteps = 0;
  private stop: BudgetStop | undefined;

  constructor(readonly steps: number) {}

  /** Steps counted so far (the step that found the budget spent included). */
  get spent(): number {
    return this.spentSteps;
  }

  /** Whether a parse has been stopped: nothing more is parsed for this action. */
  get exhausted(): boolean {
    return this.stop !== undefined;
  }

  /** Set once a parse has been stopped: where, in the text of that parse. */
  get stoppedAt(): BudgetStop | undefined {
    return this.stop;
  }

  /**
   * The parser's progress callback: counts one step and answers `true` (cancel the parse) once more steps than
   * the budget have been asked for. tree-sitter reports its position in bytes of the UTF-16 text it reads.
   */
  readonly step = (state: { currentOffset: number }): boolean => {
    this.spentSteps += 1;
    if (this.spentSteps <= this.steps) return false;
    this.stop ??= { index: Math.floor(state.currentOffset / 2) };
    return true;
  };
}
