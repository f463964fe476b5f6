import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Fault } from '../chaos/fault.js';
import { MIN_FAULT_MS, notRunRow, withinBudget } from '../chaos/suite-budget.js';

const FAULT: Fault = { name: 'some fault', timeoutMs: 300_000, run: () => Promise.reject(new Error('not run here')) };

void describe("the fault suite's time budget", () => {
  void it('leaves a fault its own bound while the budget covers it', () => {
    assert.equal(withinBudget(FAULT, 300_000), FAULT);
    assert.equal(withinBudget(FAULT, 900_000), FAULT);
  });

  void it('cuts the bound to what is left of the budget', () => {
    assert.equal(withinBudget(FAULT, 120_000)?.timeoutMs, 120_000);
    assert.equal(withinBudget(FAULT, 120_000)?.name, FAULT.name);
    assert.equal(FAULT.timeoutMs, 300_000, 'the fault itself is not changed');
  });

  void it('does not start a fault with less than the minimum left, and that fault fails', () => {
    assert.equal(withinBudget(FAULT, MIN_FAULT_MS - 1), undefined);
    assert.equal(withinBudget(FAULT, -5_000), undefined);
    const row = notRunRow(FAULT, 20 * 60_000);
    assert.equal(row.passed, false);
    assert.equal(row.fault, FAULT.name);
    assert.match(row.notes.join(' '), /not run: the suite's time budget of 20 min was spent/);
  });
});
