/**
 * Seeded pseudo-random numbers for synthetic data. Never `Math.random`: the same seed must give the
 * same people, facilities and slots on every machine, so a failing simulation can be replayed.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Chaotic, 128-bit state, used by PractRand),
 * seeded through splitmix32 so that neighbouring seeds (1, 2, 3 …) give unrelated streams.
 * Not cryptographic: never use it for tokens, queue positions an attacker could predict, or ids.
 */

/** A stream of uniform random numbers. Every method advances the stream. */
export interface Prng {
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Uniform float in [0, 1), 32 bits of resolution. */
  nextFloat(): number;
  /** Uniform integer in [0, maxExclusive), without modulo bias. maxExclusive in [1, 2^32]. */
  nextInt(maxExclusive: number): number;
}

const TWO_POW_32 = 4294967296;

/** splitmix32 finaliser: a bijection on 32-bit words with good avalanche. */
function mix32(x: number): number {
  let z = x | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function assertSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new RangeError('seed must be a safe integer');
}

/** Folds a safe integer (negative allowed) into one 32-bit word, keeping its high bits. */
function foldSeed(seed: number): number {
  const low = seed >>> 0;
  const high = Math.floor(seed / TWO_POW_32) >>> 0;
  return mix32(low ^ mix32(high + 0x9e3779b9));
}

/** Creates an sfc32 stream. Same seed, same stream. */
export function createPrng(seed: number): Prng {
  assertSeed(seed);
  let state = foldSeed(seed);
  const nextSplitmix = (): number => {
    state = (state + 0x9e3779b9) | 0;
    return mix32(state);
  };
  let a = nextSplitmix();
  let b = nextSplitmix();
  let c = nextSplitmix();
  let d = 1;
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 15; i++) nextUint32(); // sfc32's recommended warm-up
  return {
    nextUint32,
    nextFloat: () => nextUint32() / TWO_POW_32,
    nextInt: (maxExclusive: number): number => {
      if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > TWO_POW_32) {
        throw new RangeError('maxExclusive must be an integer in [1, 2^32]');
      }
      const limit = TWO_POW_32 - (TWO_POW_32 % maxExclusive); // reject the biased tail
      let x = nextUint32();
      while (x >= limit) x = nextUint32();
      return x % maxExclusive;
    },
  };
}

/**
 * A seed for an independent sub-stream, e.g. `deriveSeed(seed, 'birth-dates')`. Lets one part of a
 * generator (birth dates) be replayed without drawing the others (names, phones).
 */
export function deriveSeed(seed: number, ...labels: ReadonlyArray<string | number>): number {
  assertSeed(seed);
  let h = foldSeed(seed);
  for (const label of labels) {
    const text = String(label);
    h = mix32(h ^ 0x2545f491);
    for (let i = 0; i < text.length; i++) h = mix32(h ^ Math.imul(text.charCodeAt(i) + 1, 0x27d4eb2f));
  }
  return h;
}

/**
 * Picks index i with probability weights[i] / Σ weights (binary search over cumulative sums, one
 * draw per pick). Zero weights are never picked. Throws if no weight is positive.
 */
export function createWeightedPicker(weights: ArrayLike<number>): (rng: Prng) => number {
  const cumulative = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] ?? 0;
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError('weights must be finite and non-negative');
    total += w;
    cumulative[i] = total;
  }
  if (!(total > 0)) throw new RangeError('at least one weight must be positive');
  const last = weights.length - 1;
  return (rng: Prng): number => {
    const u = rng.nextFloat() * total;
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] ?? 0) > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}
