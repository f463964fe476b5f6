import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentile, summarize } from '../bench/percentiles.js';

describe('benchmark percentiles', () => {
  it('uses the nearest rank', () => {
    const sample = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    assert.equal(percentile(sample, 50), 5);
    assert.equal(percentile(sample, 95), 10);
    assert.equal(percentile([42], 95), 42);
  });

  it('reports the ratio of the medians', () => {
    const summary = summarize([300, 310, 320], [100, 150, 200]);
    assert.equal(summary.airlockP50Ms, 310);
    assert.equal(summary.dockerRunP50Ms, 150);
    assert.equal(summary.ratioP50, 2.07);
  });

  it('refuses an empty sample instead of inventing a number', () => {
    assert.throws(() => percentile([], 50), RangeError);
  });
});
