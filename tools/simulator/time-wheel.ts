/**
 * The simulator's event queue: a calendar of fixed-width time buckets, so scheduling and taking
 * due events cost O(1) however many of the millions of planned events are pending (a binary heap
 * would pay log n on each of ~10^8 polls). Events are small integers (see events.ts); inside one
 * bucket they come out in insertion order. Events before the wheel's current bucket are put in it
 * (never lost); events after the horizon are dropped and counted.
 */
export class TimeWheel {
  private readonly buckets: (number[] | undefined)[];
  private current = 0;
  private pending = 0;
  /** Events scheduled beyond the horizon (not run). */
  droppedBeyondHorizon = 0;

  constructor(
    private readonly startMs: number,
    private readonly bucketMs: number,
    horizonMs: number,
  ) {
    if (!(bucketMs > 0) || !(horizonMs > startMs))
      throw new RangeError('TimeWheel: need bucketMs > 0 and horizonMs > startMs');
    this.buckets = new Array(Math.ceil((horizonMs - startMs) / bucketMs) + 1);
  }

  get size(): number {
    return this.pending;
  }

  push(atMs: number, event: number): void {
    const index = Math.max(this.current, Math.floor((atMs - this.startMs) / this.bucketMs));
    if (index >= this.buckets.length) {
      this.droppedBeyondHorizon += 1;
      return;
    }
    (this.buckets[index] ??= []).push(event);
    this.pending += 1;
  }

  /** Hands every event due at or before `uptoMs` to `handle`, bucket by bucket. */
  drainDue(uptoMs: number, handle: (event: number) => void): void {
    const last = Math.min(this.buckets.length - 1, Math.floor((uptoMs - this.startMs) / this.bucketMs));
    while (this.current <= last) {
      const bucket = this.buckets[this.current];
      if (bucket) {
        // Events pushed into this bucket while handling it are handled too (same instant).
        for (let i = 0; i < bucket.length; i += 1) handle(bucket[i]!);
        this.pending -= bucket.length;
        this.buckets[this.current] = undefined;
      }
      if (this.current === last) break;
      this.current += 1;
    }
  }

  /** Start of the first bucket holding an event, or null when empty. */
  nextDueMs(): number | null {
    if (this.pending === 0) return null;
    for (let i = this.current; i < this.buckets.length; i += 1) {
      if (this.buckets[i]?.length) return this.startMs + i * this.bucketMs;
    }
    return null;
  }
}
