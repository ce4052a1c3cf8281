/**
 * The console's live feed for one campaign: queue, admission, booking throughput and latency,
 * slots left per region and the measured ETA error. No personal data: only counts.
 */
import type { Clock } from '../platform/clock.ts';
import type { AvailabilityService } from '../booking/availability.service.ts';
import type { BookingPathMonitor } from '../booking/booking-path-monitor.ts';
import type { DashboardHistory, DashboardSample } from './dashboard-history.ts';

/** The waiting room as the console sees it (a subset of the waiting-room service). */
export interface QueueView {
  status(campaignId: string): {
    waiting: number;
    admittedPerSec: number;
    activeSessions: number;
    cursor: number;
    tail: number;
    paused: boolean;
    pinnedRatePerSec: number | null;
    ratePerSec: number;
  } | null;
  etaError(campaignId: string): { p50Sec: number; p90Sec: number; samples: number } | null;
  /** "Your turn is near" messages written (the outbox: every process sees the same counts). */
  turnNotices?(campaignId: string): Promise<{ lastMinute: number; total: number }>;
}

export function createDashboardService(d: {
  clock: Clock;
  monitor: BookingPathMonitor;
  availability: AvailabilityService;
  queue: QueueView | null;
  history: DashboardHistory;
}) {
  async function dashboard(campaignId: string) {
    const path = d.monitor.snapshot();
    const free = await d.availability.freeSeatsByRegion(campaignId);
    return {
      atMs: d.clock.nowMs(),
      campaignId,
      queue: d.queue?.status(campaignId) ?? null,
      bookings: { perSec: path.bookingsPerSec, total: path.bookingsTotal },
      latency: { p50Ms: path.p50Ms, p99Ms: path.p99Ms, errorRate: path.errorRate, requestsPerSec: path.requestsPerSec },
      slotsLeftByRegion: free.ok ? free.value : [],
      etaError: d.queue?.etaError(campaignId) ?? null,
      turnNotices: (await d.queue?.turnNotices?.(campaignId)) ?? { lastMinute: 0, total: 0 },
    };
  }
  /** The charted numbers of this instant (no database read), as the history keeps them. */
  function sample(campaignId: string): DashboardSample {
    const path = d.monitor.snapshot();
    const queue = d.queue?.status(campaignId) ?? null;
    const eta = d.queue?.etaError(campaignId) ?? null;
    return {
      atMs: d.clock.nowMs(),
      waiting: queue?.waiting ?? null,
      admittedPerSec: queue?.admittedPerSec ?? null,
      bookingsPerSec: path.bookingsPerSec,
      p50Ms: path.p50Ms,
      p99Ms: path.p99Ms,
      etaP50Sec: eta?.p50Sec ?? null,
      etaP90Sec: eta?.p90Sec ?? null,
    };
  }
  const recordSample = (campaignId: string) => d.history.record(campaignId, sample(campaignId));
  const history = async (campaignId: string) => ({
    campaignId,
    samples: await d.history.samples(campaignId, d.clock.nowMs()),
  });
  const pruneHistory = () => d.history.prune(d.clock.nowMs());
  /** What an admission control changes (the audit trail's before and after). */
  function admissionState(campaignId: string) {
    const q = d.queue?.status(campaignId);
    return q ? { paused: q.paused, pinnedRatePerSec: q.pinnedRatePerSec, ratePerSec: q.ratePerSec } : null;
  }
  return { dashboard, sample, recordSample, history, pruneHistory, admissionState };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
