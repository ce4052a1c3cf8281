/**
 * Measures how wrong the ETA we show turned out to be. For a sample of people (1 in `sampleEvery`,
 * chosen by identity so one person is followed from first sight to admission) it remembers the
 * admission instant the first ETA promised, and when they are admitted records |actual − promised|.
 * Memory is bounded (`maxTracked` people). The 2021 queues showed "37 minutes" that never moved:
 * this number is how we know ours does not.
 */
import type { Clock } from '../platform/clock.ts';

export function createEtaTracker(
  clock: Clock,
  opts: { sampleEvery?: number; maxTracked?: number; keepErrors?: number } = {},
) {
  const sampleEvery = opts.sampleEvery ?? 16;
  const maxTracked = opts.maxTracked ?? 50_000;
  const keep = opts.keepErrors ?? 2_000;
  const promised = new Map<string, number>();
  const errorsByCampaign = new Map<string, number[]>();

  const isSampled = (identityHash: string) => identityHash.charCodeAt(0) % sampleEvery === 0;

  return {
    /** A waiting status with an ETA was shown. Only the first promise per person counts. */
    shown(campaignId: string, identityHash: string, etaMs: number): void {
      if (!isSampled(identityHash)) return;
      const key = `${campaignId}|${identityHash}`;
      if (promised.has(key) || promised.size >= maxTracked) return;
      promised.set(key, clock.nowMs() + etaMs);
    },
    admitted(campaignId: string, identityHash: string): void {
      const key = `${campaignId}|${identityHash}`;
      const at = promised.get(key);
      if (at === undefined) return;
      promised.delete(key);
      const list = errorsByCampaign.get(campaignId) ?? [];
      list.push(Math.abs(clock.nowMs() - at) / 1000);
      if (list.length > keep) list.shift();
      errorsByCampaign.set(campaignId, list);
    },
    /** Absolute ETA error in seconds over the last admissions measured, or null if none yet. */
    summary(campaignId: string): { p50Sec: number; p90Sec: number; samples: number } | null {
      const list = [...(errorsByCampaign.get(campaignId) ?? [])].sort((a, b) => a - b);
      if (list.length === 0) return null;
      const q = (p: number) => list[Math.min(list.length - 1, Math.floor(p * list.length))]!;
      return { p50Sec: q(0.5), p90Sec: q(0.9), samples: list.length };
    },
  };
}

export type EtaTracker = ReturnType<typeof createEtaTracker>;
