import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { percentileOfSorted, perSecondCounts, ratePerSecIn, summarizeLatencies } from './stats.ts';

describe('percentileOfSorted', () => {
  it('takes the nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentileOfSorted(xs, 50), 50);
    assert.equal(percentileOfSorted(xs, 99), 99);
    assert.equal(percentileOfSorted(xs, 100), 100);
    assert.equal(percentileOfSorted(xs, 0), 1);
  });
  it('gives the only sample for any percentile, and null without samples', () => {
    assert.equal(percentileOfSorted([7], 99), 7);
    assert.equal(percentileOfSorted([], 50), null);
  });
  it('refuses a percentile outside 0..100', () => {
    assert.throws(() => percentileOfSorted([1], 101), RangeError);
  });
});

describe('summarizeLatencies', () => {
  it('sorts numerically (not as strings) without changing its input', () => {
    const input = [100, 9, 20, 3];
    const s = summarizeLatencies(input);
    assert.deepEqual(input, [100, 9, 20, 3]);
    assert.equal(s.p50Ms, 9);
    assert.equal(s.maxMs, 100);
    assert.equal(s.meanMs, 33);
    assert.equal(s.count, 4);
  });
  it('puts one slow request in a hundred at p99', () => {
    const s = summarizeLatencies([...Array.from({ length: 99 }, () => 5), 900]);
    assert.equal(s.p99Ms, 5);
    assert.equal(summarizeLatencies([...Array.from({ length: 98 }, () => 5), 900, 900]).p99Ms, 900);
  });
});

describe('ratePerSecIn', () => {
  it('counts only completions inside the window', () => {
    const done = [500, 1000, 1500, 2999, 3000, 9000];
    assert.equal(ratePerSecIn(done, 1000, 3000), 1.5);
  });
  it('refuses an empty window', () => {
    assert.throws(() => ratePerSecIn([], 5, 5), RangeError);
  });
});

describe('perSecondCounts', () => {
  it('buckets by whole seconds from the start and drops what falls outside', () => {
    assert.deepEqual(perSecondCounts([0, 999, 1000, 2500, -1, 3000], 0, 3), [2, 1, 1]);
  });
});
