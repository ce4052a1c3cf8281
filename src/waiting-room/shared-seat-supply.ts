/**
 * The free-seat total read once per `everyMs` for all processes together, instead of once per
 * process: each room re-reads its seats every `seatsEveryMs` (room.ts `refreshSeats`), and on the
 * booking side that is a sum over every dose-1 slot of the campaign (~70,000 rows, 30-45 ms of
 * Postgres on the demo seed), so N processes made N such reads per interval. Now the first process
 * that finds the kept count `everyMs` old takes a lease, reads it, and keeps it with the moment it
 * was read (its time and the room's sessions and claims then, which every process shares: the
 * partitions' counters are cluster-wide); the others take the kept count as it is and re-ask once
 * it is `everyMs` old. While another process holds the lease they keep using the count kept before.
 * A campaign the booking side does not know (null) is not kept. If the store fails, or nothing is
 * kept yet and another process holds the lease, the process reads the count itself, as before.
 */
import type { SeatSupply } from './admission-settings.ts';
import type { KeptSeatCount, SeatCountStore } from './seat-count.store.ts';

/** How long a kept count outlives its interval (a fallback while the next one is read), in intervals. */
const KEEP_INTERVALS = 4;

export function sharedSeatSupply(o: { source: SeatSupply; counts: SeatCountStore; everyMs: number }): SeatSupply {
  async function recount(campaignId: string, now: Parameters<SeatSupply['seatsOf']>[1] & object) {
    const counted = await o.source.seatsOf(campaignId, now);
    if (counted === null) return null;
    const kept: KeptSeatCount = { ...counted, countedAt: counted.countedAt ?? now };
    // Not kept (the store failed): the others read it themselves at their next refresh.
    await o.counts.keepCount(campaignId, kept, KEEP_INTERVALS * o.everyMs).catch(() => undefined);
    return kept;
  }

  return {
    async seatsOf(campaignId, now) {
      if (!now) return o.source.seatsOf(campaignId);
      let kept: KeptSeatCount | null;
      let isMine: boolean;
      try {
        kept = await o.counts.latestCount(campaignId);
        if (kept && now.atMs - kept.countedAt.atMs < o.everyMs) return kept;
        isMine = await o.counts.claimRecount(campaignId, o.everyMs);
      } catch {
        return o.source.seatsOf(campaignId, now);
      }
      if (isMine) return recount(campaignId, now);
      return kept ?? o.source.seatsOf(campaignId, now);
    },
  };
}
