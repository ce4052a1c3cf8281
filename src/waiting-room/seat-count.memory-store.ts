/** SeatCountStore in one process's memory (no Redis: one process, so nothing to share but the contract). */
import type { Clock } from '../platform/clock.ts';
import type { KeptSeatCount, SeatCountStore } from './seat-count.store.ts';

export function createMemorySeatCountStore(clock: Clock): SeatCountStore {
  const counts = new Map<string, { count: KeptSeatCount; untilMs: number }>();
  const leases = new Map<string, number>();
  return {
    async latestCount(campaignId) {
      const kept = counts.get(campaignId);
      return kept && clock.nowMs() < kept.untilMs ? kept.count : null;
    },
    async claimRecount(campaignId, leaseMs) {
      const nowMs = clock.nowMs();
      if (nowMs < (leases.get(campaignId) ?? -Infinity)) return false;
      leases.set(campaignId, nowMs + leaseMs);
      return true;
    },
    async keepCount(campaignId, count, keepMs) {
      counts.set(campaignId, { count, untilMs: clock.nowMs() + keepMs });
    },
  };
}
