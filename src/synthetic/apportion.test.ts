import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { apportion } from './apportion.ts';

describe('apportion', () => {
  it('gives leftover units to the largest remainders, ties to the lower index', () => {
    assert.deepEqual(apportion(10, [1, 1, 1]), [4, 3, 3]);
    assert.deepEqual(apportion(7, [0.5, 0.3, 0.2]), [4, 2, 1]); // 3.5, 2.1, 1.4
    assert.deepEqual(apportion(0, [1, 2]), [0, 0]);
    assert.deepEqual(apportion(5, [0, 1, 0]), [0, 5, 0]);
  });

  it('always sums to the total and keeps every part within one of its quota', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc
          .array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 })
          .filter((w) => w.some((x) => x > 0)),
        (total, weights) => {
          const parts = apportion(total, weights);
          const sum = weights.reduce((a, b) => a + b, 0);
          assert.equal(
            parts.reduce((a, b) => a + b, 0),
            total,
          );
          parts.forEach((p, i) => assert.ok(Math.abs(p - (total * (weights[i] ?? 0)) / sum) < 1 + 1e-9));
        },
      ),
      { seed: 17, numRuns: 300 },
    );
  });

  it('refuses inputs it cannot split', () => {
    assert.throws(() => apportion(3, [0, 0]), RangeError);
    assert.throws(() => apportion(-1, [1]), RangeError);
    assert.throws(() => apportion(1, [-1, 2]), RangeError);
  });
});
