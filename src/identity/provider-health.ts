/**
 * A status light per identity provider from its recent outcomes (last 60 s): green when it
 * answers and is quick, yellow when slow or failing sometimes, red when mostly failing, grey
 * when nothing has been heard from it recently. Citizens pick a provider that works instead of
 * retrying one that is down (in August 2021 verification was the biggest load factor).
 */
import type { Clock } from '../platform/clock.ts';

export type Light = 'green' | 'yellow' | 'red' | 'grey';
export interface ProviderStatus {
  id: string;
  name: { ko: string; en: string };
  light: Light;
  successRate: number | null;
  p50LatencyMs: number | null;
}

const WINDOW_MS = 60_000;
const MAX_SAMPLES = 500;

export function createProviderHealth(clock: Clock) {
  const samples = new Map<string, { atMs: number; up: boolean; latencyMs: number }[]>();

  function record(id: string, up: boolean, latencyMs: number): void {
    const list = samples.get(id) ?? [];
    list.push({ atMs: clock.nowMs(), up, latencyMs });
    if (list.length > MAX_SAMPLES) list.splice(0, list.length - MAX_SAMPLES);
    samples.set(id, list);
  }

  function statusOf(id: string): Omit<ProviderStatus, 'id' | 'name'> {
    const since = clock.nowMs() - WINDOW_MS;
    const recent = (samples.get(id) ?? []).filter((s) => s.atMs >= since);
    if (recent.length === 0) return { light: 'grey', successRate: null, p50LatencyMs: null };
    const successRate = recent.filter((s) => s.up).length / recent.length;
    const sorted = recent.map((s) => s.latencyMs).sort((a, b) => a - b);
    const p50LatencyMs = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const light: Light = successRate < 0.5 ? 'red' : successRate < 0.95 || p50LatencyMs > 3_000 ? 'yellow' : 'green';
    return { light, successRate, p50LatencyMs };
  }

  return { record, statusOf };
}
