/**
 * Whether this process is too busy to start joins: the mean event-loop delay of the last sample
 * interval over a threshold (CPU-bound overload), or a health check answering false (checked every
 * second). Measured as @fastify/under-pressure measures it (a 10 ms-resolution event-loop delay
 * histogram, its mean less the resolution, reset every sample), but read by the join route as one
 * boolean: under-pressure's onRequest hook read `request.routeOptions` (a getter building a
 * dozen-field object) on every join to find a per-route handler this service never sets.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface JoinPressureOptions {
  /** Mean event-loop delay (ms) over which joins are refused; 0: never for this reason. */
  maxEventLoopDelayMs: number;
  /** Checked at start and then every `healthCheckIntervalMs`; false or a throw: refuse joins. */
  healthCheck?: () => Promise<boolean>;
  sampleIntervalMs?: number;
  healthCheckIntervalMs?: number;
  /** Told once per failing check that threw (the reason is the error). */
  onHealthCheckError?: (error: unknown) => void;
}

export interface JoinPressure {
  isUnderPressure(): boolean;
  /** Stops the timers and the histogram. */
  close(): void;
}

/** The histogram's resolution (ms), subtracted from its mean as under-pressure does. */
const RESOLUTION_MS = 10;

/** Starts measuring; resolves after the first health check (as under-pressure did at registration). */
export async function watchJoinPressure(o: JoinPressureOptions): Promise<JoinPressure> {
  let isDelayed = false;
  let isHealthy = true;
  const timers: NodeJS.Timeout[] = [];
  const histogram = o.maxEventLoopDelayMs > 0 ? monitorEventLoopDelay({ resolution: RESOLUTION_MS }) : null;
  if (histogram) {
    histogram.enable();
    const sample = setInterval(
      () => {
        const meanMs = Math.max(0, histogram.mean / 1e6 - RESOLUTION_MS);
        // No sample in the interval (a loop blocked throughout) reads NaN: as delayed as can be.
        isDelayed = Number.isNaN(meanMs) || meanMs > o.maxEventLoopDelayMs;
        histogram.reset();
      },
      Math.max(RESOLUTION_MS, o.sampleIntervalMs ?? 250),
    );
    timers.push(sample);
  }
  const healthCheck = o.healthCheck;
  if (healthCheck) {
    const check = async () => {
      try {
        isHealthy = (await healthCheck()) === true;
      } catch (e) {
        isHealthy = false;
        o.onHealthCheckError?.(e);
      }
    };
    await check();
    let running = false;
    const interval = setInterval(() => {
      if (running) return;
      running = true;
      void check().finally(() => {
        running = false;
      });
    }, o.healthCheckIntervalMs ?? 1_000);
    timers.push(interval);
  }
  for (const t of timers) t.unref();
  return {
    isUnderPressure: () => isDelayed || !isHealthy,
    close() {
      for (const t of timers) clearInterval(t);
      histogram?.disable();
    },
  };
}
