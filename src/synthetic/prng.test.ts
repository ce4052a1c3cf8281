import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPrng, createWeightedPicker, deriveSeed } from './prng.ts';

/** |observed − expected| within `sds` binomial standard deviations. */
function assertNearCount(observed: number, n: number, p: number, sds = 4, label = ''): void {
  const sd = Math.sqrt(n * p * (1 - p));
  assert.ok(Math.abs(observed - n * p) <= sds * sd, `${label} observed ${observed}, expected ${n * p} ± ${sds * sd}`);
}

describe('createPrng', () => {
  it('replays the same stream for the same seed, pinned so refactors cannot shift every fixture', () => {
    const rng = createPrng(0);
    assert.deepEqual(
      [rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32()],
      [1812687563, 2403367495, 4001787805, 123019486],
    );
    const other = createPrng(2021);
    assert.deepEqual([other.nextUint32(), other.nextUint32(), other.nextUint32()], [826833327, 1594577342, 2980701586]);
  });

  it('gives unrelated streams for neighbouring seeds', () => {
    const a = createPrng(1);
    const b = createPrng(2);
    const same = Array.from({ length: 1000 }, () => a.nextUint32() === b.nextUint32()).filter(Boolean).length;
    assert.equal(same, 0);
  });

  it('draws nextInt uniformly and within [0, max)', () => {
    const rng = createPrng(7);
    const n = 100_000;
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) {
      const x = rng.nextInt(10);
      assert.ok(Number.isInteger(x) && x >= 0 && x < 10);
      counts[x] = (counts[x] ?? 0) + 1;
    }
    counts.forEach((c, digit) => assertNearCount(c, n, 0.1, 4, `digit ${digit}`));
  });

  it('draws nextFloat in [0, 1)', () => {
    const rng = createPrng(8);
    for (let i = 0; i < 10_000; i++) {
      const x = rng.nextFloat();
      assert.ok(x >= 0 && x < 1);
    }
  });

  it('refuses seeds and bounds that would silently collapse', () => {
    assert.throws(() => createPrng(1.5), RangeError);
    assert.throws(() => createPrng(Number.MAX_SAFE_INTEGER + 2), RangeError);
    assert.throws(() => createPrng(1).nextInt(0), RangeError);
  });

  it('keeps large seeds apart (high bits matter)', () => {
    assert.notEqual(createPrng(2 ** 32 + 5).nextUint32(), createPrng(5).nextUint32());
  });
});

describe('deriveSeed', () => {
  it('separates labels and seeds deterministically', () => {
    assert.equal(deriveSeed(1, 'a'), 2225485180);
    assert.notEqual(deriveSeed(1, 'a'), deriveSeed(1, 'b'));
    assert.notEqual(deriveSeed(1, 'a'), deriveSeed(2, 'a'));
    assert.notEqual(deriveSeed(1, 'ab'), deriveSeed(1, 'a', 'b'));
  });
});

describe('createWeightedPicker', () => {
  it('picks in proportion to weights and never picks a zero weight', () => {
    const pick = createWeightedPicker([0, 1, 3, 0, 6, 0]);
    const rng = createPrng(11);
    const n = 100_000;
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < n; i++) {
      const k = pick(rng);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    assert.equal(counts[0], 0);
    assert.equal(counts[3], 0);
    assert.equal(counts[5], 0);
    assertNearCount(counts[1] ?? 0, n, 0.1, 4, 'w=1');
    assertNearCount(counts[2] ?? 0, n, 0.3, 4, 'w=3');
    assertNearCount(counts[4] ?? 0, n, 0.6, 4, 'w=6');
  });

  it('refuses weights that cannot be sampled', () => {
    assert.throws(() => createWeightedPicker([0, 0]), RangeError);
    assert.throws(() => createWeightedPicker([1, -1]), RangeError);
    assert.throws(() => createWeightedPicker([1, Number.NaN]), RangeError);
  });
});
