/**
 * HTTP for live mode: undici clients bound to several loopback source addresses (127.0.0.2 …), so
 * the server's per-IP limit sees the crowd as many households rather than one address, while every
 * request still goes to 127.0.0.1. Bodies are always read; every request has a timeout.
 */
import { Agent, request } from 'undici';

export interface Reply {
  status: number;
  body: any;
  ms: number;
  /** Seconds from a Retry-After header (429 queue-busy / rate-limited), else null. */
  retryAfterS: number | null;
  /** `name=value` of the first Set-Cookie (the signed device cookie a join sets), if any. */
  cookie?: string;
}

const TIMEOUT_MS = 30_000;

export function createHttp(baseUrl: string, sourceAddresses: number) {
  const agents = Array.from(
    { length: sourceAddresses },
    (_, k) =>
      new Agent({
        connections: 32,
        headersTimeout: TIMEOUT_MS,
        bodyTimeout: TIMEOUT_MS,
        // Top-level: undici 7 ignores `connect.localAddress` (every request left from 127.0.0.1).
        localAddress: `127.0.${Math.floor((k + 2) / 250)}.${((k + 2) % 250) + 1}`,
      }),
  );
  return {
    /** A request from person `who` (their household's source address). */
    async call(
      who: number,
      method: 'GET' | 'POST' | 'DELETE',
      path: string,
      o: { headers?: Record<string, string>; json?: unknown } = {},
    ): Promise<Reply> {
      const t0 = performance.now();
      const res = await request(`${baseUrl}${path}`, {
        method,
        dispatcher: agents[who % agents.length]!,
        headers: { ...(o.json === undefined ? {} : { 'content-type': 'application/json' }), ...o.headers },
        ...(o.json === undefined ? {} : { body: JSON.stringify(o.json) }),
      });
      const text = await res.body.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: keep the text */
      }
      const retry = Number(res.headers['retry-after']);
      const setCookie = res.headers['set-cookie'];
      const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0];
      return {
        status: res.statusCode,
        body,
        ms: performance.now() - t0,
        retryAfterS: Number.isFinite(retry) ? retry : null,
        ...(cookie ? { cookie } : {}),
      };
    },
    async text(path: string): Promise<string> {
      const res = await request(`${baseUrl}${path}`, { dispatcher: agents[0]! });
      return res.body.text();
    },
    async close() {
      await Promise.all(agents.map((a) => a.close()));
    },
  };
}

export type Http = ReturnType<typeof createHttp>;
