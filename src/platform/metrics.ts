/**
 * Prometheus metrics, one registry per app instance (tests build many apps in one process).
 * Capabilities register their own metrics on `registry` and read them back for the console.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { RequestDurations } from './http/route-metrics.ts';

/** Seconds, the upper bounds of `http_request_duration_seconds` (prom-client's default buckets). */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(opts: { defaultMetrics: boolean }) {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const httpDuration = new RequestDurations(
    'http_request_duration_seconds',
    'HTTP request latency by route and status class',
    HTTP_DURATION_BUCKETS,
    [registry],
  );
  const bookings = new Counter({
    name: 'bookings_total',
    help: 'Booking attempts by outcome (placed, or the failure reason)',
    labelNames: ['action', 'outcome'] as const,
    registers: [registry],
  });
  const bookingBatchSize = new Histogram({
    name: 'booking_write_batch_size',
    help: 'New bookings written together in one call (1: alone, the single statement)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [registry],
  });
  return { registry, httpDuration, bookings, bookingBatchSize };
}

export type Metrics = ReturnType<typeof createMetrics>;
