/**
 * A rolling window of request outcomes (latency and whether it failed on our side) kept in
 * one-second buckets. It answers "what did the booking path just show it can take?" for the
 * admission controller and the operator dashboard. Memory is bounded: at most `maxSamplesPerSec`
 * latencies are kept per second (a uniform reservoir), counts are exact.
 */
import type { Clock } from './clock.ts';

interface Bucket {
  second: number;
  count: number;
  errors: number;
  latencies: number[];
}

export interface WindowSummary {
  count: number;
  errors: number;
  perSec: number;
  errorRate: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
}

export function createLatencyWindow(clock: Clock, opts: { windowSec?: number; maxSamplesPerSec?: number } = {}) {
  const windowSec = opts.windowSec ?? 10;
  const maxSamples = opts.maxSamplesPerSec ?? 2_000;
  const buckets: Bucket[] = [];

  function bucketNow(): Bucket {
    const second = Math.floor(clock.nowMs() / 1000);
    let b = buckets[buckets.length - 1];
    if (!b || b.second !== second) {
      b = { second, count: 0, errors: 0, latencies: [] };
      buckets.push(b);
      while (buckets.length > 0 && buckets[0]!.second <= second - windowSec) buckets.shift();
    }
    return b;
  }

  function record(latencyMs: number, isError: boolean): void {
    const b = bucketNow();
    b.count++;
    if (isError) b.errors++;
    if (b.latencies.length < maxSamples) b.latencies.push(latencyMs);
    else {
      const j = Math.floor(Math.random() * b.count);
      if (j < maxSamples) b.latencies[j] = latencyMs;
    }
  }

  function summary(): WindowSummary {
    const nowSec = Math.floor(clock.nowMs() / 1000);
    const live = buckets.filter((b) => b.second > nowSec - windowSec);
    const count = live.reduce((n, b) => n + b.count, 0);
    const errors = live.reduce((n, b) => n + b.errors, 0);
    // A typed array sorts numerically without a comparator call per comparison (this runs on every
    // admission tick over up to windowSec × maxSamplesPerSec samples: it showed in the booking profile).
    const sorted = new Float64Array(live.reduce((n, b) => n + b.latencies.length, 0));
    let at = 0;
    for (const b of live) {
      sorted.set(b.latencies, at);
      at += b.latencies.length;
    }
    sorted.sort();
    const pick = (q: number) =>
      sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return {
      count,
      errors,
      perSec: count / windowSec,
      errorRate: count === 0 ? null : errors / count,
      p50Ms: pick(0.5),
      p99Ms: pick(0.99),
    };
  }

  return { record, summary };
}

export type LatencyWindow = ReturnType<typeof createLatencyWindow>;
