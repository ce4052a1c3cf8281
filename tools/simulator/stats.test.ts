import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrng } from '../../src/synthetic/prng.ts';
import { averageRanks, mean, quantile, spearman } from './stats.ts';

describe('statistics for the report', () => {
  it('takes nearest-rank quantiles', () => {
    const xs = [5, 1, 4, 2, 3];
    assert.equal(quantile(xs, 0.5), 3);
    assert.equal(quantile(xs, 0), 1);
    assert.equal(quantile(xs, 1), 5);
    assert.equal(
      quantile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        0.95,
      ),
      95,
    );
    assert.equal(quantile([], 0.5), null);
    assert.deepEqual(xs, [5, 1, 4, 2, 3], 'input untouched');
  });

  it('gives tied values the mean of their ranks', () => {
    assert.deepEqual([...averageRanks([10, 20, 20, 30])], [1, 2.5, 2.5, 4]);
    assert.equal(mean([1, 2, 3, 6]), 3);
  });

  it('Spearman tells same order, reversed order and no relation apart', () => {
    const xs = Array.from({ length: 1_000 }, (_, i) => i);
    assert.equal(
      spearman(
        xs,
        xs.map((x) => x * x),
      ),
      1,
    );
    assert.equal(
      spearman(
        xs,
        xs.map((x) => -x),
      ),
      -1,
    );
    const rng = createPrng(5);
    const shuffled = xs.map(() => rng.nextFloat());
    assert.ok(Math.abs(spearman(xs, shuffled)!) < 0.1);
    assert.equal(spearman([1, 2, 3], [4, 4, 4]), null, 'constant side has no correlation');
  });
});
