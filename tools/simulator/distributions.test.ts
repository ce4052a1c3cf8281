import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrng } from '../../src/synthetic/prng.ts';
import { createCurveSampler, curveCdf, logNormal, offsetWithin, poisson } from './distributions.ts';
import type { CurveSegment } from './scenario.ts';

const curve: CurveSegment[] = [
  { fromMinutes: -60, toMinutes: 0, weight: 0.25 },
  { fromMinutes: 0, toMinutes: 10, weight: 0.5, halfLifeMinutes: 3 },
  { fromMinutes: 10, toMinutes: 100, weight: 0.25 },
];

describe('arrival curves', () => {
  it("has a CDF that starts at 0, ends at 1 and puts each segment's weight in it", () => {
    assert.equal(curveCdf(curve, -60), 0);
    assert.equal(curveCdf(curve, 0), 0.25);
    assert.ok(Math.abs(curveCdf(curve, 10) - 0.75) < 1e-12);
    assert.equal(curveCdf(curve, 100), 1);
    // Half-life 3 min over 10 min: half the segment's mass in the first 3 min, a bit more after truncation.
    const firstThree = (curveCdf(curve, 3) - 0.25) / 0.5;
    assert.ok(firstThree > 0.5 && firstThree < 0.6, String(firstThree));
  });

  it('inverts the segment CDF', () => {
    for (const seg of curve) {
      for (const u of [0, 0.1, 0.5, 0.9, 0.999]) {
        const x = offsetWithin(seg, u);
        assert.ok(x >= 0 && x <= seg.toMinutes - seg.fromMinutes);
        const inSegment = curveCdf([seg], seg.fromMinutes + x);
        assert.ok(Math.abs(inSegment - u) < 1e-9, `${u} → ${inSegment}`);
      }
    }
  });

  it('draws arrivals that follow the curve (seeded)', () => {
    const draw = createCurveSampler(curve);
    const rng = createPrng(7);
    const xs = Array.from({ length: 50_000 }, () => draw(rng));
    for (const at of [-30, 0, 2, 5, 10, 50]) {
      const empirical = xs.filter((x) => x <= at).length / xs.length;
      assert.ok(Math.abs(empirical - curveCdf(curve, at)) < 0.01, `${at}: ${empirical} vs ${curveCdf(curve, at)}`);
    }
  });
});

describe('durations and counts', () => {
  it('log-normal draws have the median and 90th percentile they were given', () => {
    const rng = createPrng(11);
    const xs = Array.from({ length: 40_000 }, () => logNormal({ median: 20, p90: 60 }, rng)).sort((a, b) => a - b);
    assert.ok(Math.abs(xs[20_000]! - 20) < 1, `median ${xs[20_000]}`);
    assert.ok(Math.abs(xs[36_000]! - 60) < 4, `p90 ${xs[36_000]}`);
  });

  it('poisson counts have the given mean', () => {
    const rng = createPrng(3);
    const n = 40_000;
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += poisson(2.9, rng);
    assert.ok(Math.abs(sum / n - 2.9) < 0.05, String(sum / n));
    assert.equal(poisson(0, rng), 0);
  });
});
