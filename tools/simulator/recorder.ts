/**
 * What a run measured, per virtual second: counters (arrivals by kind, polls, claims, bookings…),
 * gauges (queue length, active sessions, admission rate, slots left; last value in the second) and
 * latency samples (wall-clock ms of real service calls), each second's samples and the whole run's
 * kept in bounded uniform reservoirs. Memory is O(seconds), not O(requests).
 */
import { sortedQuantile } from './stats.ts';

export const COUNTERS = [
  'arrivalsFirst',
  'arrivalsReload',
  'arrivalsOtherDevice',
  'arrivalsComeback',
  'refusedOtherDevice',
  'pollsReal',
  'pollsSimulated',
  'claims',
  'advanced',
  'bookings',
  'bookingFailures',
  'gaveUp',
  'placeExpired',
  'wallMs',
] as const;
export const GAUGES = [
  'waiting',
  'activeSessions',
  'sessionLimit',
  'ratePerSec',
  'slotsLeft',
  'tail',
  'cursor',
] as const;
export const LATENCIES = ['join', 'poll', 'bookingPath', 'placeBooking'] as const;
export type Counter = (typeof COUNTERS)[number];
export type Gauge = (typeof GAUGES)[number];
export type LatencyKind = (typeof LATENCIES)[number];

const PER_SECOND_SAMPLES = 256;
const RUN_SAMPLES = 200_000;

class Reservoir {
  readonly values: number[] = [];
  seen = 0;
  constructor(private readonly capacity: number) {}
  add(v: number): void {
    this.seen += 1;
    if (this.values.length < this.capacity) {
      this.values.push(v);
      return;
    }
    const j = Math.floor(Math.random() * this.seen);
    if (j < this.capacity) this.values[j] = v;
  }
  quantiles(qs: readonly number[]): (number | null)[] {
    const sorted = Float64Array.from(this.values).sort();
    return qs.map((q) => sortedQuantile(sorted, q));
  }
}

export class Recorder {
  readonly counters: Record<Counter, Float64Array>;
  readonly gauges: Record<Gauge, Float64Array>;
  private readonly perSecond: Record<LatencyKind, (Reservoir | undefined)[]>;
  readonly whole: Record<LatencyKind, Reservoir>;
  readonly failures = new Map<string, number>();
  private readonly totals = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;
  /** Last second any event was recorded in (the series are cut there). */
  lastSecond = 0;

  constructor(
    readonly startMs: number,
    readonly seconds: number,
  ) {
    this.counters = Object.fromEntries(COUNTERS.map((c) => [c, new Float64Array(seconds + 1)])) as Record<
      Counter,
      Float64Array
    >;
    this.gauges = Object.fromEntries(GAUGES.map((g) => [g, new Float64Array(seconds + 1).fill(Number.NaN)])) as Record<
      Gauge,
      Float64Array
    >;
    this.perSecond = Object.fromEntries(LATENCIES.map((l) => [l, new Array(seconds + 1)])) as Record<
      LatencyKind,
      (Reservoir | undefined)[]
    >;
    this.whole = Object.fromEntries(LATENCIES.map((l) => [l, new Reservoir(RUN_SAMPLES)])) as Record<
      LatencyKind,
      Reservoir
    >;
  }

  secondOf(atMs: number): number {
    const s = Math.min(this.seconds, Math.max(0, Math.floor((atMs - this.startMs) / 1000)));
    if (s > this.lastSecond) this.lastSecond = s;
    return s;
  }

  count(name: Counter, atMs: number, n = 1): void {
    this.counters[name][this.secondOf(atMs)]! += n;
    this.totals[name] += n;
  }
  gauge(name: Gauge, atMs: number, value: number): void {
    this.gauges[name][this.secondOf(atMs)] = value;
  }
  fail(reason: string): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
  }

  latency(kind: LatencyKind, atMs: number, ms: number): void {
    const s = this.secondOf(atMs);
    (this.perSecond[kind][s] ??= new Reservoir(PER_SECOND_SAMPLES)).add(ms);
    this.whole[kind].add(ms);
  }

  total(name: Counter): number {
    return this.totals[name];
  }

  /** p50/p95/p99 of one kind for each second (null where nothing was measured). */
  latencySeries(kind: LatencyKind): { p50: (number | null)[]; p95: (number | null)[]; p99: (number | null)[] } {
    const out = { p50: [] as (number | null)[], p95: [] as (number | null)[], p99: [] as (number | null)[] };
    for (let s = 0; s <= this.lastSecond; s += 1) {
      const [a, b, c] = this.perSecond[kind][s]?.quantiles([0.5, 0.95, 0.99]) ?? [null, null, null];
      out.p50.push(a ?? null);
      out.p95.push(b ?? null);
      out.p99.push(c ?? null);
    }
    return out;
  }
}
