/**
 * What the waiting room shows operators: a summary per campaign (the console's dashboard) and the
 * same numbers as Prometheus gauges, read from the in-memory snapshot when /metrics is scraped
 * (no store call).
 */
import { Gauge, type Registry } from 'prom-client';
import type { EtaTracker } from './eta-tracker.ts';
import type { WaitingRoomService } from './waiting-room.service.ts';

export interface QueueSummary {
  waiting: number;
  admittedPerSec: number;
  activeSessions: number;
  /** Most people in session the controller allows now (below the configured cap after a slow spell). */
  sessionLimit: number;
  cursor: number;
  tail: number;
  paused: boolean;
  pinnedRatePerSec: number | null;
  ratePerSec: number;
}

/** The room's snapshot summed over its partitions; null when the campaign has no room here. */
export function queueSummary(service: WaitingRoomService, campaignId: string): QueueSummary | null {
  const s = service.roomStatus(campaignId);
  if (!s.ok) return null;
  const parts = s.value.snapshot?.partitions ?? [];
  const sum = (f: (p: (typeof parts)[number]) => number) => parts.reduce((n, p) => n + f(p), 0);
  const c = s.value.controller;
  return {
    waiting: sum((p) => p.stats.waiting),
    // Measured cursor movement, not the ETA's rate (which before the opening is the plan's).
    admittedPerSec: s.value.snapshot?.admittedPerSec ?? 0,
    activeSessions: sum((p) => p.stats.activeSessions),
    sessionLimit: c.sessionLimit,
    cursor: sum((p) => p.stats.cursor),
    tail: sum((p) => p.stats.tail),
    paused: c.isPaused,
    pinnedRatePerSec: c.pinnedRatePerSec,
    ratePerSec: c.ratePerSec,
  };
}

export function registerWaitingRoomMetrics(
  registry: Registry,
  o: {
    /** The campaigns with a room in this process. */
    campaigns(): Iterable<string>;
    queueView(campaignId: string): QueueSummary | null;
    eta: Pick<EtaTracker, 'summary'>;
    isLeading(): boolean;
  },
): void {
  const read = () => [...o.campaigns()].map((id) => ({ id, view: o.queueView(id), eta: o.eta.summary(id) }));
  const gauge = (name: string, help: string, pick: (r: ReturnType<typeof read>[number]) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['campaign'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const r of read()) {
          const v = pick(r);
          if (v !== undefined) this.set({ campaign: r.id }, v);
        }
      },
    });
  gauge('waiting_room_queue_length', 'People waiting (not yet reached)', (r) => r.view?.waiting);
  gauge('waiting_room_admitted_per_second', 'Measured admissions per second', (r) => r.view?.admittedPerSec);
  gauge('waiting_room_active_sessions', 'Admissions claimed and still active', (r) => r.view?.activeSessions);
  gauge(
    'waiting_room_session_limit',
    'Most people in session the controller allows now (cut when the booking path is slow)',
    (r) => r.view?.sessionLimit,
  );
  gauge('waiting_room_admission_rate_per_second', 'Admission rate the controller is using', (r) => r.view?.ratePerSec);
  gauge('waiting_room_eta_error_p50_seconds', 'Median absolute error of the first ETA shown', (r) => r.eta?.p50Sec);
  gauge(
    'waiting_room_eta_error_p90_seconds',
    '90th percentile absolute error of the first ETA shown',
    (r) => r.eta?.p90Sec,
  );
  // 1 while this process holds the admission lease (as of its last tick); exactly one process should.
  new Gauge({
    name: 'waiting_room_admission_leader',
    help: 'Whether this process runs admission ticks (holds the leader lease)',
    registers: [registry],
    collect() {
      this.set(o.isLeading() ? 1 : 0);
    },
  });
}
