import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffHunks, diffLines } from '../../server/ui/line-diff.js';

describe('web UI line diff', () => {
  it('marks added and removed lines with their line numbers', () => {
    const lines = diffLines('a\nb\nc\n', 'a\nx\nc\nd\n');
    assert.deepEqual(lines, [
      { kind: 'same', text: 'a', oldLine: 1, newLine: 1 },
      { kind: 'added', text: 'x', newLine: 2 },
      { kind: 'removed', text: 'b', oldLine: 2 },
      { kind: 'same', text: 'c', oldLine: 3, newLine: 3 },
      { kind: 'added', text: 'd', newLine: 4 },
    ]);
  });

  it('finds no change between equal code', () => {
    assert.ok(diffLines('x\ny', 'x\ny')?.every((line) => line.kind === 'same'));
  });

  it('keeps two lines of context around changes and folds the rest into gaps', () => {
    const old = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const changed = old.replace('line 10', 'line ten');
    const hunks = diffHunks(diffLines(old, changed) ?? []);
    assert.equal(hunks[0], null, 'leading unchanged lines are a gap');
    const shown = hunks.filter((line) => line !== null);
    assert.deepEqual(shown.map((line) => line.text), ['line 8', 'line 9', 'line ten', 'line 10', 'line 11', 'line 12']);
    assert.equal(hunks.at(-1), null, 'trailing unchanged lines are a gap');
  });

  it('declines inputs too large to compare', () => {
    const big = Array.from({ length: 3000 }, (_, i) => `${i}`).join('\n');
    assert.equal(diffLines(big, `${big}\nmore`), undefined);
  });
});
