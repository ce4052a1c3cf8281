/**
 * The seat count one process read, kept for every process (shared-seat-supply.ts): the free-seat
 * total is a sum over every dose-1 slot of a campaign (~70,000 rows on the demo seed), and each
 * process used to read it itself every `seatsEveryMs`, so the reads grew with the processes. Two
 * adapters (seat-count.memory-store.ts, seat-count.redis-store.ts) under one contract suite
 * (test/contracts/seat-count-store.contract.ts), run on memory, Redis and Redis Cluster.
 */
import type { SeatCount, SeatCountMoment } from './admission-settings.ts';

/** A count as kept: always with when it was read and the room's sessions and claims then. */
export type KeptSeatCount = SeatCount & { readonly countedAt: SeatCountMoment };

export interface SeatCountStore {
  /** The count last kept for the campaign, or null (none kept, or it expired). */
  latestCount(campaignId: string): Promise<KeptSeatCount | null>;
  /**
   * Asks to read the count again: true for one caller per `leaseMs` per campaign (the lease then
   * ends by itself), false while another caller holds it.
   */
  claimRecount(campaignId: string, leaseMs: number): Promise<boolean>;
  /** Keeps `count` for every process, for `keepMs` at most (a count nobody renews goes away). */
  keepCount(campaignId: string, count: KeptSeatCount, keepMs: number): Promise<void>;
}

/** A kept count read back; anything malformed reads as none (the store is not trusted blindly). */
export function parseKeptSeatCount(raw: string): KeptSeatCount | null {
  try {
    const o = JSON.parse(raw) as Record<string, unknown>;
    const at = o.countedAt as Record<string, unknown> | null | undefined;
    const base = at?.base as Record<string, unknown> | null | undefined;
    const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;
    const isNext = o.nextSeatsAtMs === null || isCount(o.nextSeatsAtMs);
    if (!isCount(o.seatsLeft) || !isNext || !at || !isCount(at.atMs) || !base) return null;
    if (!isCount(base.active) || !isCount(base.claimedTotal)) return null;
    return {
      seatsLeft: o.seatsLeft,
      nextSeatsAtMs: o.nextSeatsAtMs as number | null,
      countedAt: { atMs: at.atMs, base: { active: base.active, claimedTotal: base.claimedTotal } },
    };
  } catch {
    return null;
  }
}
