/**
 * What the booking path is showing right now. Two signals:
 *
 * - `health()`, read by the admission controller: server-side latency and server failures (5xx) of
 *   ADMITTED booking work only — requests that carried a valid admission (eligibility, slot search,
 *   booking under an admission). Client errors (4xx) are never part of it, nor are routes that need no
 *   admission (change, cancel, lookups: one person can hammer those at will), and one identity adds at
 *   most `maxSamplesPerIdentity` samples per window, so no single person can steer the admission rate.
 *   Issue 11: one person's 9 PATCH 500s a second had dragged the rate from 100/s to its floor.
 * - `snapshot()`, charted by the console: every request on the booking routes, and confirmed bookings/s.
 */
import type { Clock } from '../platform/clock.ts';
import { createLatencyWindow } from '../platform/latency-window.ts';
import type { Metrics } from '../platform/metrics.ts';

export interface BookingPathMonitorSettings {
  /** Length of both windows, seconds. */
  readonly windowSec: number;
  /** Most samples one identity contributes to the admission signal per window. */
  readonly maxSamplesPerIdentity: number;
  /** Fewer distinct admitted identities than this in a window: no signal (the controller holds). */
  readonly minIdentities: number;
}

export function createBookingPathMonitor(
  clock: Clock,
  metrics: Metrics,
  settings: Partial<BookingPathMonitorSettings> = {},
) {
  const windowSec = settings.windowSec ?? 10;
  const maxPerIdentity = settings.maxSamplesPerIdentity ?? 3;
  const minIdentities = settings.minIdentities ?? 5;
  const requests = createLatencyWindow(clock, { windowSec });
  const admitted = createLatencyWindow(clock, { windowSec });
  const placed = createLatencyWindow(clock, { windowSec, maxSamplesPerSec: 1 });
  // Samples per identity in the current fixed window (epoch = floor(now / window)) and the one before;
  // both bounded by the identities admitted within one window. The rolling latency window spans parts
  // of both, so one identity adds at most 2 × maxPerIdentity samples to any summary.
  let epoch = -1;
  let current = new Map<string, number>();
  let previous = new Map<string, number>();
  let placedTotal = 0;

  function roll(): void {
    const now = Math.floor(clock.nowMs() / (windowSec * 1000));
    if (now === epoch) return;
    previous = now === epoch + 1 ? current : new Map();
    current = new Map();
    epoch = now;
  }

  function isUnderCap(identity: string): boolean {
    roll();
    const n = current.get(identity) ?? 0;
    if (n >= maxPerIdentity) return false;
    current.set(identity, n + 1);
    return true;
  }

  /** Distinct identities behind the signal (a lower bound: the larger of the two fixed windows). */
  function identitiesSeen(): number {
    roll();
    return Math.max(current.size, previous.size);
  }

  return {
    /** One request on the booking routes finished (console chart only). */
    recordRequest(latencyMs: number, statusCode: number): void {
      requests.record(latencyMs, statusCode >= 500);
    },
    /**
     * One request made under a valid admission by `identity` finished. 4xx answers are the client's
     * doing, not the path's health, and are left out; 2xx count as latency, 5xx as failures.
     */
    recordAdmitted(identity: string, latencyMs: number, statusCode: number): void {
      if (statusCode >= 400 && statusCode < 500) return;
      if (!isUnderCap(identity)) return;
      admitted.record(latencyMs, statusCode >= 500);
    },
    /** A booking action finished with `outcome` ('placed' or a failure reason). */
    recordBooking(action: 'place' | 'change' | 'cancel', outcome: string): void {
      metrics.bookings.inc({ action, outcome });
      if (action === 'place' && outcome === 'placed') {
        placed.record(0, false);
        placedTotal++;
      }
    },
    /** For the admission controller (admitted work only): null fields when nothing was observed. */
    health() {
      if (identitiesSeen() < minIdentities) return { p99Ms: null, errorRate: null };
      const s = admitted.summary();
      return { p99Ms: s.p99Ms, errorRate: s.errorRate };
    },
    snapshot() {
      const s = requests.summary();
      return {
        requestsPerSec: s.perSec,
        p50Ms: s.p50Ms,
        p99Ms: s.p99Ms,
        errorRate: s.errorRate,
        bookingsPerSec: placed.summary().perSec,
        bookingsTotal: placedTotal,
      };
    },
  };
}

export type BookingPathMonitor = ReturnType<typeof createBookingPathMonitor>;
