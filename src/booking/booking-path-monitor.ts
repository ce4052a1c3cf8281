/**
 * What the booking path is showing right now: latency and server-error rate of every admitted
 * request (eligibility, slot search, booking), and confirmed bookings per second. The admission
 * controller reads it to admit only what the core can take; the console charts it.
 */
import type { Clock } from '../platform/clock.ts';
import { createLatencyWindow } from '../platform/latency-window.ts';
import type { Metrics } from '../platform/metrics.ts';

export function createBookingPathMonitor(clock: Clock, metrics: Metrics) {
  const requests = createLatencyWindow(clock, { windowSec: 10 });
  const placed = createLatencyWindow(clock, { windowSec: 10, maxSamplesPerSec: 1 });
  let placedTotal = 0;

  return {
    /** One request on the booking path finished. */
    recordRequest(latencyMs: number, statusCode: number): void {
      requests.record(latencyMs, statusCode >= 500);
    },
    /** A booking action finished with `outcome` ('placed' or a failure reason). */
    recordBooking(action: 'place' | 'change' | 'cancel', outcome: string): void {
      metrics.bookings.inc({ action, outcome });
      if (action === 'place' && outcome === 'placed') { placed.record(0, false); placedTotal++; }
    },
    /** For the admission controller: null fields when nothing was observed. */
    health() {
      const s = requests.summary();
      return { p99Ms: s.p99Ms, errorRate: s.errorRate };
    },
    snapshot() {
      const s = requests.summary();
      return { requestsPerSec: s.perSec, p50Ms: s.p50Ms, p99Ms: s.p99Ms, errorRate: s.errorRate, bookingsPerSec: placed.summary().perSec, bookingsTotal: placedTotal };
    },
  };
}

export type BookingPathMonitor = ReturnType<typeof createBookingPathMonitor>;
