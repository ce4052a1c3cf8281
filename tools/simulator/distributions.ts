/**
 * The random shapes a scenario is made of, drawn from the seeded PRNG of src/synthetic/prng.ts so a
 * run's population and behaviour plan replay exactly from the scenario's seed. Pure functions.
 *
 * - Arrival curves: minutes relative to the opening, a weighted mix of segments, each uniform or
 *   decaying exponentially from its start with a half-life (truncated at its end).
 * - Durations: log-normal from a median and a 90th percentile (think times, patience).
 */
import { createWeightedPicker, type Prng } from '../../src/synthetic/prng.ts';
import type { CurveSegment, LogNormalSpec } from './scenario.ts';

/** z of the 90th percentile of the standard normal. */
const Z90 = 1.2815515655446004;

/** Minutes after the opening (negative: before it) at which one arrival happens. */
export function createCurveSampler(curve: readonly CurveSegment[]): (rng: Prng) => number {
  const pick = createWeightedPicker(curve.map((c) => c.weight));
  return (rng) => {
    const c = curve[pick(rng)]!;
    return c.fromMinutes + offsetWithin(c, rng.nextFloat());
  };
}

/** Inverse CDF inside one segment: u in [0, 1) → minutes after the segment's start. */
export function offsetWithin(c: CurveSegment, u: number): number {
  const length = c.toMinutes - c.fromMinutes;
  if (c.halfLifeMinutes === undefined) return u * length;
  const rate = Math.LN2 / c.halfLifeMinutes;
  return -Math.log(1 - u * (1 - Math.exp(-rate * length))) / rate;
}

/** Share of all arrivals that happened by `minutes` (the curve's CDF). */
export function curveCdf(curve: readonly CurveSegment[], minutes: number): number {
  const total = curve.reduce((n, c) => n + c.weight, 0);
  let done = 0;
  for (const c of curve) {
    if (minutes <= c.fromMinutes) continue;
    const x = Math.min(minutes, c.toMinutes) - c.fromMinutes;
    const length = c.toMinutes - c.fromMinutes;
    let share = x / length;
    if (c.halfLifeMinutes !== undefined) {
      const rate = Math.LN2 / c.halfLifeMinutes;
      share = (1 - Math.exp(-rate * x)) / (1 - Math.exp(-rate * length));
    }
    done += c.weight * share;
  }
  return done / total;
}

/** A standard normal draw (Box-Muller, one of the pair). */
export function normal(rng: Prng): number {
  const u = 1 - rng.nextFloat(); // (0, 1]
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
}

/** A log-normal draw with the given median and 90th percentile (same unit as the spec). */
export function logNormal(spec: LogNormalSpec, rng: Prng): number {
  const sigma = Math.log(spec.p90 / spec.median) / Z90;
  return spec.median * Math.exp(sigma * normal(rng));
}

/** An exponential draw with the given mean. */
export function exponential(mean: number, rng: Prng): number {
  return -Math.log(1 - rng.nextFloat()) * mean;
}

/** A Poisson count with the given mean (Knuth's method; means here are small). */
export function poisson(mean: number, rng: Prng): number {
  if (mean <= 0) return 0;
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.nextFloat();
  while (p > limit && k < 1_000) {
    k += 1;
    p *= rng.nextFloat();
  }
  return k;
}

/** Uniform in [min, max). */
export function uniform(range: { min: number; max: number }, rng: Prng): number {
  return range.min + (range.max - range.min) * rng.nextFloat();
}
