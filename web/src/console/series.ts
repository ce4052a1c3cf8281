/**
 * The dashboard's memory: each poll appends one point per series; the oldest points fall off
 * after MAX_POINTS (at 2.5 s a poll, about 25 minutes). Nothing is stored beyond this page.
 */
import type { DashboardWire } from '../../../src/operator/operator.schemas.ts';
/** The feed as the server sends it (its schema is the contract). */
export type DashboardFeed = DashboardWire;

export const MAX_POINTS = 600;

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
  const push = <T,>(list: T[], v: T) => [...list, v].slice(-MAX_POINTS);
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
