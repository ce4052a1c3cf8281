/**
 * Pure numbers for the bench: percentiles of latency samples and rates over a measurement window.
 * No I/O, no clock: callers pass the times they measured (ms, from performance.now()).
 */

/** Nearest-rank percentile (p in 0..100) of an ascending array; null when there are no samples. */
export function percentileOfSorted(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in 0..100, got ${p}`);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number | null;
  readonly p90Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  readonly meanMs: number | null;
}

/** p50/p90/p99/max/mean of latency samples (ms); the input is not modified. */
export function summarizeLatencies(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const arr = Array.from(sorted);
  const sum = arr.reduce((a, b) => a + b, 0);
  return {
    count: arr.length,
    p50Ms: percentileOfSorted(arr, 50),
    p90Ms: percentileOfSorted(arr, 90),
    p99Ms: percentileOfSorted(arr, 99),
    maxMs: arr.length > 0 ? arr[arr.length - 1]! : null,
    meanMs: arr.length > 0 ? sum / arr.length : null,
  };
}

/**
 * Events per second inside [fromMs, toMs): counts only events that completed in the window, so a
 * ramp-up before it or a drain after it does not dilute the rate.
 */
export function ratePerSecIn(completedAtMs: readonly number[], fromMs: number, toMs: number): number {
  if (!(toMs > fromMs)) throw new RangeError('empty window');
  let n = 0;
  for (const t of completedAtMs) if (t >= fromMs && t < toMs) n += 1;
  return (n * 1000) / (toMs - fromMs);
}

/** Events per whole second since `startMs` (for per-second charts and steadiness checks). */
export function perSecondCounts(completedAtMs: readonly number[], startMs: number, seconds: number): number[] {
  const counts = new Array<number>(Math.max(0, seconds)).fill(0);
  for (const t of completedAtMs) {
    const s = Math.floor((t - startMs) / 1000);
    if (s >= 0 && s < counts.length) counts[s]! += 1;
  }
  return counts;
}
