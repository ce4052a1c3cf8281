/**
 * The load generator's HTTP side: undici pools (cheap, keep-alive) to the service on 127.0.0.1,
 * each bound to its own loopback source address 127.0.0.2…, so the per-IP limits see many
 * addresses, as carrier NAT would show a few thousand phones each. Every request carries a
 * deadline; every response is recorded by status class.
 */
import { Pool } from 'undici';

/**
 * `retryAfterSec`: the Retry-After header of a 429/503, when the server sent one. `cookie`: the
 * `name=value` of the first Set-Cookie (the signed device cookie a join sets), to send back as is.
 */
export interface HttpReply {
  status: number;
  json: unknown;
  ms: number;
  retryAfterSec?: number;
  cookie?: string;
}

export interface LoadClient {
  /** Sends one request from source address `lane % lanes`; resolves status 0 on timeout or network error. */
  send(
    lane: number,
    r: {
      method: 'GET' | 'POST';
      path: string;
      headers: Record<string, string>;
      body?: unknown;
      timeoutMs: number;
      wantJson?: boolean;
    },
  ): Promise<HttpReply>;
  close(): Promise<void>;
  readonly lanes: number;
  /** Why requests got status 0, by error code (timeouts, refused connections, …). */
  readonly failures: Map<string, number>;
}

export function createLoadClient(o: { origin: string; lanes: number; connectionsPerLane: number }): LoadClient {
  const origin = new URL(o.origin);
  if (origin.hostname !== '127.0.0.1') throw new Error('bench traffic goes to 127.0.0.1 only');
  const pools = Array.from(
    { length: o.lanes },
    (_, i) =>
      new Pool(o.origin, {
        connections: o.connectionsPerLane,
        pipelining: 1,
        localAddress: `127.0.${Math.floor((i + 2) / 256)}.${(i + 2) % 256}`,
        keepAliveTimeout: 30_000,
        connect: { timeout: 10_000 },
      }),
  );
  const failures = new Map<string, number>();
  return {
    lanes: o.lanes,
    failures,
    async send(lane, r) {
      const started = performance.now();
      try {
        const res = await pools[lane % pools.length]!.request({
          method: r.method,
          path: r.path,
          headers: r.body === undefined ? r.headers : { ...r.headers, 'content-type': 'application/json' },
          body: r.body === undefined ? null : JSON.stringify(r.body),
          signal: AbortSignal.timeout(Math.max(1, Math.ceil(r.timeoutMs))),
        });
        const json = r.wantJson && res.statusCode < 300 ? await res.body.json() : (await res.body.dump(), null);
        const retryAfterSec = Number(res.headers['retry-after']);
        const cookie = firstCookie(res.headers['set-cookie']);
        return {
          status: res.statusCode,
          json,
          ms: performance.now() - started,
          ...(retryAfterSec > 0 ? { retryAfterSec } : {}),
          ...(cookie ? { cookie } : {}),
        };
      } catch (e) {
        const name = (e as Error).name;
        const code =
          name === 'TimeoutError' || name === 'AbortError'
            ? 'timeout'
            : String((e as { code?: string }).code ?? name ?? 'error');
        failures.set(code, (failures.get(code) ?? 0) + 1);
        return { status: 0, json: null, ms: performance.now() - started };
      }
    },
    async close() {
      await Promise.all(pools.map((p) => p.close().catch(() => p.destroy())));
    },
  };
}

/** The `name=value` part of the first Set-Cookie header, if any. */
export function firstCookie(header: string | string[] | undefined): string | undefined {
  const first = Array.isArray(header) ? header[0] : header;
  return first?.split(';')[0];
}

/** Counts of responses by class, for "errors and 5xx". Status 0 = timeout or connection error. */
export interface StatusTally {
  ok2xx: number;
  c4xx: Record<string, number>;
  c5xx: number;
  failed: number;
}

export const newTally = (): StatusTally => ({ ok2xx: 0, c4xx: {}, c5xx: 0, failed: 0 });

export function tally(t: StatusTally, status: number): void {
  if (status === 0) t.failed += 1;
  else if (status >= 500) t.c5xx += 1;
  else if (status >= 400) t.c4xx[status] = (t.c4xx[status] ?? 0) + 1;
  else t.ok2xx += 1;
}

/**
 * Runs `work(i)` for i in [0, count) with at most `concurrency` in flight (a closed loop),
 * stopping early when `signal` aborts. Resolves when all started work has finished.
 */
export async function closedLoop(
  count: number,
  concurrency: number,
  signal: AbortSignal,
  work: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count && !signal.aborted) await work(next++);
    }),
  );
}

/**
 * Starts `work(i)` at t0 + i/ratePerSec for i in [0, count) (an open loop: arrivals do not wait
 * for earlier ones), and resolves when every started piece of work has finished.
 */
export async function openLoop(
  count: number,
  ratePerSec: number,
  signal: AbortSignal,
  work: (i: number, scheduledAt: number) => Promise<void>,
): Promise<{ t0: number; maxStartLagMs: number }> {
  const t0 = performance.now();
  const running: Promise<void>[] = [];
  let i = 0;
  let maxStartLagMs = 0; // how late the generator itself started arrivals (its own CPU starvation)
  while (i < count && !signal.aborted) {
    const now = performance.now();
    const due = Math.min(count, Math.floor(((now - t0) * ratePerSec) / 1000) + 1);
    if (i < due) maxStartLagMs = Math.max(maxStartLagMs, now - (t0 + (i * 1000) / ratePerSec));
    for (; i < due; i += 1) running.push(work(i, t0 + (i * 1000) / ratePerSec));
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(running);
  return { t0, maxStartLagMs };
}
