/**
 * The dashboard's series: they start from the server's history (its samples of the last hours,
 * so a console opened mid-event shows the night so far), then each poll appends one point; the
 * oldest points fall off after MAX_POINTS.
 */
import type { DashboardWire } from '../../../src/operator/operator.schemas.ts';
/** The feed as the server sends it (its schema is the contract). */
export type DashboardFeed = DashboardWire;
import type { DashboardHistoryView } from '../../../src/operator/history.schemas.ts';

/** Two hours of 5-second history samples, then the polls. */
export const MAX_POINTS = 2_000;

export interface Series {
  t: number[];
  waiting: (number | null)[];
  admitted: (number | null)[];
  bookings: (number | null)[];
  p50: (number | null)[];
  p99: (number | null)[];
  etaP50: (number | null)[];
  etaP90: (number | null)[];
}

export function emptySeries(): Series {
  return { t: [], waiting: [], admitted: [], bookings: [], p50: [], p99: [], etaP50: [], etaP90: [] };
}

/** A new Series with `f` appended (uPlot wants seconds on the time axis). */
export function appendPoint(s: Series, f: DashboardFeed): Series {
  const push = <T>(list: T[], v: T) => [...list, v].slice(-MAX_POINTS);
  return {
    t: push(s.t, f.atMs / 1000),
    waiting: push(s.waiting, f.queue?.waiting ?? null),
    admitted: push(s.admitted, f.queue?.admittedPerSec ?? null),
    bookings: push(s.bookings, f.bookings.perSec),
    p50: push(s.p50, f.latency.p50Ms),
    p99: push(s.p99, f.latency.p99Ms),
    etaP50: push(s.etaP50, f.etaError?.p50Sec ?? null),
    etaP90: push(s.etaP90, f.etaError?.p90Sec ?? null),
  };
}

/** The series drawn from the server's history samples (oldest first). */
export function seriesFromHistory(history: DashboardHistoryView): Series {
  const s = history.samples;
  return {
    t: s.map((x) => x.atMs / 1000),
    waiting: s.map((x) => x.waiting),
    admitted: s.map((x) => x.admittedPerSec),
    bookings: s.map((x) => x.bookingsPerSec),
    p50: s.map((x) => x.p50Ms),
    p99: s.map((x) => x.p99Ms),
    etaP50: s.map((x) => x.etaP50Sec),
    etaP90: s.map((x) => x.etaP90Sec),
  };
}
