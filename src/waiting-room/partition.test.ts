import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocateAdvance, partitionOf } from './partition.ts';

describe('partitions', () => {
  it('puts an identity in the same partition every time, spread evenly over partitions', () => {
    assert.equal(partitionOf('id-1', 1), 0);
    assert.equal(partitionOf('id-123', 8), partitionOf('id-123', 8));
    const counts = new Array(8).fill(0);
    for (let i = 0; i < 8_000; i += 1) counts[partitionOf(`id-${i}`, 8)] += 1;
    for (const c of counts) assert.ok(c > 850 && c < 1_150, `partition sizes ${counts}`);
  });

  it('splits admissions in proportion to what each partition has waiting, never more than it has', () => {
    assert.deepEqual(allocateAdvance(100, [300, 100], [0, 0]).counts, [75, 25]);
    assert.deepEqual(
      allocateAdvance(100, [3, 1_000], [0, 0]).counts.reduce((a, b) => a + b, 0),
      100,
    );
    assert.deepEqual(allocateAdvance(10, [2, 0], [0, 0]).counts, [2, 0]);
  });

  it('carries fractions so that small ticks reach every partition in turn', () => {
    let carry = [0, 0, 0, 0];
    const totals = [0, 0, 0, 0];
    for (let tick = 0; tick < 400; tick += 1) {
      const r = allocateAdvance(1, [1_000, 1_000, 1_000, 1_000], carry);
      carry = r.carry;
      r.counts.forEach((c, p) => {
        totals[p]! += c;
      });
    }
    assert.deepEqual(totals, [100, 100, 100, 100]);
  });
});
