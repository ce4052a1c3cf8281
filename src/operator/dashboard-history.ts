/**
 * The console's memory of the night: dashboard samples (the numbers the charts draw), taken by a
 * timer in each process, so that someone who logs in at 21:40 sees the queue since 20:00. The
 * service keeps them in Postgres, shared by every process (dashboard-history.repository.ts); the
 * ring buffer here is the same port in one process's memory (tests, tools).
 */
export interface DashboardSample {
  readonly atMs: number;
  readonly waiting: number | null;
  readonly admittedPerSec: number | null;
  readonly bookingsPerSec: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly etaP50Sec: number | null;
  readonly etaP90Sec: number | null;
}

export interface DashboardHistory {
  record(campaignId: string, sample: DashboardSample): Promise<void>;
  /** Samples of the last `keepMs` before `nowMs`, oldest first. */
  samples(campaignId: string, nowMs: number): Promise<DashboardSample[]>;
  /** Forgets samples older than `keepMs` before `nowMs`. */
  prune(nowMs: number): Promise<void>;
}

/** `capacity` samples per campaign at most (keepMs / sampleMs, plus one); at most `maxCampaigns` campaigns. */
export function createDashboardHistory(o: {
  keepMs: number;
  capacity: number;
  maxCampaigns?: number;
}): DashboardHistory {
  const rings = new Map<string, { items: DashboardSample[]; next: number }>();
  const maxCampaigns = o.maxCampaigns ?? 200;
  return {
    async record(campaignId, sample) {
      let ring = rings.get(campaignId);
      if (!ring) {
        if (rings.size >= maxCampaigns) return;
        ring = { items: [], next: 0 };
        rings.set(campaignId, ring);
      }
      if (ring.items.length < o.capacity) ring.items.push(sample);
      else ring.items[ring.next] = sample;
      ring.next = (ring.next + 1) % o.capacity;
    },
    async samples(campaignId, nowMs) {
      const ring = rings.get(campaignId);
      if (!ring) return [];
      const ordered =
        ring.items.length < o.capacity
          ? ring.items
          : [...ring.items.slice(ring.next), ...ring.items.slice(0, ring.next)];
      return ordered.filter((s) => s.atMs > nowMs - o.keepMs && s.atMs <= nowMs);
    },
    // The ring overwrites its oldest samples itself.
    async prune() {},
  };
}
