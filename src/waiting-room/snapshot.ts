/**
 * What every server holds in memory to answer polls without Redis: each partition's counters,
 * refreshed about once a second, and the admission rate measured from how fast the cursor moved.
 * The answer is the same for everyone in the same second, so it also caches well at a CDN.
 *
 * ETA: ahead / measured rate, where the rate is the cursor's movement per second over the last
 * `windowSamples` refreshes. The band is ahead / p90 rate (low) .. ahead / p10 rate (high): the
 * spread of the rate actually seen in the last minute, not a guess. When the p10 rate is zero (a
 * pause was seen) the band has no upper end. Rate zero or unmeasured: no ETA at all rather than a
 * made-up one (2021 showed "37 minutes" for a queue that never moved).
 */
import { PRE_SCORE_RANGE, type QueueStats } from './waiting-room.store.ts';

export interface RateBand {
  /** Seqs reached per second, mean over the window. */
  readonly meanPerSec: number;
  readonly p10PerSec: number;
  readonly p90PerSec: number;
  readonly samples: number;
}

export interface EtaBand {
  readonly expectedMs: number;
  readonly lowMs: number;
  /** null: a stall was seen in the window, so no honest upper bound exists. */
  readonly highMs: number | null;
  readonly ratePerSec: number;
}

export interface PollSettings {
  readonly minPollMs: number;
  readonly maxPollMs: number;
  /** Next poll after this fraction of the optimistic ETA (clamped to min..max). */
  readonly pollFraction: number;
}

export interface RateMeter {
  /** Record the partition's cursor at a refresh. A cursor that went down (a restore) restarts the meter. */
  observe(atMs: number, cursor: number): void;
  band(): RateBand | null;
}

export function createRateMeter(windowSamples: number): RateMeter {
  let last: { atMs: number; cursor: number } | null = null;
  const rates: number[] = [];
  return {
    observe(atMs, cursor) {
      if (last && cursor < last.cursor) rates.length = 0;
      if (last && cursor >= last.cursor && atMs > last.atMs) {
        rates.push(((cursor - last.cursor) * 1000) / (atMs - last.atMs));
        if (rates.length > windowSamples) rates.shift();
      }
      if (!last || atMs > last.atMs || cursor < last.cursor) last = { atMs, cursor };
    },
    band() {
      if (rates.length === 0) return null;
      const sorted = [...rates].sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
      const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
      return { meanPerSec: mean, p10PerSec: at(0.1), p90PerSec: at(0.9), samples: rates.length };
    },
  };
}

export function etaBand(ahead: number, band: RateBand | null): EtaBand | null {
  if (!band || band.meanPerSec <= 0) return null;
  const fast = Math.max(band.p90PerSec, band.meanPerSec);
  const slow = Math.min(band.p10PerSec, band.meanPerSec);
  return {
    expectedMs: Math.round((ahead / band.meanPerSec) * 1000),
    lowMs: Math.round((ahead / fast) * 1000),
    highMs: slow > 0 ? Math.round((ahead / slow) * 1000) : null,
    ratePerSec: band.meanPerSec,
  };
}

/** Short near the front (≈ minPollMs), long at the back (maxPollMs); maxPollMs with no ETA. */
export function nextPollMs(eta: EtaBand | null, s: PollSettings): number {
  if (!eta) return s.maxPollMs;
  return Math.round(Math.min(s.maxPollMs, Math.max(s.minPollMs, eta.lowMs * s.pollFraction)));
}

export interface PartitionSnapshot {
  readonly stats: QueueStats;
  readonly rate: RateBand | null;
}

export interface RoomSnapshot {
  readonly atMs: number;
  readonly partitions: readonly PartitionSnapshot[];
}

/**
 * A partition's local counts scaled to the whole queue. With one partition this is exact. With P
 * partitions drained in proportion to what they hold waiting, someone with k ahead in a partition
 * holding w of W waiting has about k·W/w ahead overall (hash partitioning keeps w ≈ W/P).
 */
export function scaleToRoom(local: number, snapshot: RoomSnapshot, partition: number): number {
  if (snapshot.partitions.length === 1) return local;
  const total = snapshot.partitions.reduce((sum, p) => sum + p.stats.waiting, 0);
  const own = snapshot.partitions[partition]?.stats.waiting ?? 0;
  return own > 0 ? Math.round((local * total) / own) : local * snapshot.partitions.length;
}

/**
 * Where a pre-room ticket stands after opening, before its exact rank is looked up: scores are
 * uniform, so the seq is about score/2^48 × frozen, with a binomial spread of √(frozen·u·(1−u)).
 */
export function estimatePreRoomSeq(preScore: number, frozen: number): { seq: number; spread: number } {
  const u = preScore / PRE_SCORE_RANGE;
  return { seq: Math.max(1, Math.ceil(u * frozen)), spread: Math.sqrt(frozen * u * (1 - u)) };
}
