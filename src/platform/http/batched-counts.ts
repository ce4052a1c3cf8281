/**
 * A per-key request counter shared by every process through Redis, told to Redis in batches: each
 * process decides from its own count plus the shared total Redis last answered, and adds its counts
 * to Redis `batch` at a time per key. A key seen fewer than `batch` times in a window by one
 * process — almost every address that joins the queue — costs no Redis call at all; an exact
 * shared counter (RedisStore) costs one round trip per request.
 *
 * The error is bounded, one way only (more is allowed, never less): per key and window, each
 * process holds at most `batch - 1` counts Redis has not been sent, plus the counts it sent within
 * the last Redis round trip (sent, not yet answered; other processes cannot see them). N processes
 * therefore let a key through at most `max + N × (batch - 1)` times a window, plus what reaches them
 * from that key during one round trip each. One process alone is exact: its own counts are always
 * in its decision.
 *
 * Windows are fixed and aligned to the clock (`floor(now / windowMs)`), so every process counts the
 * same window under the same Redis key (`<nameSpace><key>:<window>`), and a window's local counts
 * are dropped as a whole when it ends. At most `maxKeys` keys are kept per window; a key seen after
 * that waits for Redis on each request (exact, as RedisStore), so memory stays bounded.
 */

/** The Redis side: add `delta` to `key`'s count (expiring after `ttlMs`), answer the new total. */
export interface SharedCountPort {
  add(key: string, delta: number, ttlMs: number): Promise<number>;
}

type Counted = { current: number; ttl: number };
type Callback = (error: Error | null, counted?: Counted) => void;

/** A key once it has been sent to Redis: the shared total last answered and its own counts not in it. */
interface Shared {
  /** Redis's total in its last answer (includes every send of ours answered so far). */
  total: number;
  /** Counts sent whose answer has not come back. */
  inFlight: number;
  /** Counts not sent yet (< batch). */
  unsent: number;
}

export interface BatchedCounterOptions {
  shared: SharedCountPort;
  nameSpace: string;
  /** Counts a process gathers per key before it adds them to Redis (≥ 2; 1 would be RedisStore). */
  batch: number;
  maxKeys: number;
  /** Wall clock, ms (all processes must agree on the window). */
  nowMs?: () => number;
  /** A failed add (the counts are kept and sent again with the key's next batch). */
  onError?: (e: unknown) => void;
}

/** The same `incr(key, callback, windowMs, max)` as @fastify/rate-limit's stores (rate-limits.ts calls it). */
export function createBatchedCounter(o: BatchedCounterOptions) {
  if (!(o.batch >= 2)) throw new Error(`batch must be at least 2, got ${o.batch}`);
  const nowMs = o.nowMs ?? Date.now;
  let window = -1;
  // A key's value is its unsent count (a small integer, kept inline by the Map) until its first
  // send, then its Shared record: an address that comes once allocates nothing but the Map entry.
  let keys = new Map<string, number | Shared>();

  function send(key: string, s: Shared, w: number, windowMs: number, ttlMs: number) {
    const delta = s.unsent;
    s.unsent = 0;
    s.inFlight += delta;
    o.shared.add(`${o.nameSpace}${key}:${w}`, delta, ttlMs + windowMs).then(
      (total) => {
        s.inFlight -= delta;
        if (total > s.total) s.total = total;
      },
      (e: unknown) => {
        s.inFlight -= delta;
        s.unsent += delta;
        o.onError?.(e);
      },
    );
  }

  return {
    incr(key: string, callback: Callback, windowMs: number, max: number) {
      const now = nowMs();
      const w = Math.floor(now / windowMs);
      if (w !== window) {
        window = w;
        keys = new Map();
      }
      const ttl = (w + 1) * windowMs - now;
      const v = keys.get(key);
      if (v === undefined && keys.size >= o.maxKeys) {
        o.shared.add(`${o.nameSpace}${key}:${w}`, 1, ttl + windowMs).then(
          (current) => callback(null, { current, ttl }),
          (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
        );
        return;
      }
      if (typeof v !== 'object') {
        const current = (v ?? 0) + 1;
        if (current > max) return callback(null, { current, ttl });
        if (current < o.batch) {
          keys.set(key, current);
          return callback(null, { current, ttl });
        }
        const s: Shared = { total: 0, inFlight: 0, unsent: current };
        keys.set(key, s);
        send(key, s, w, windowMs, ttl);
        return callback(null, { current, ttl });
      }
      const current = v.total + v.inFlight + v.unsent + 1;
      if (current > max) return callback(null, { current, ttl });
      v.unsent += 1;
      if (v.unsent >= o.batch) send(key, v, w, windowMs, ttl);
      callback(null, { current, ttl });
    },
  };
}

/** Redis's side of the counter: one script call per batch (INCRBY, and the expiry when the key is new). */
export const ADD_COUNT_LUA = `
-- KEYS[1] the key's window counter; ARGV[1] counts to add; ARGV[2] ms until it may be forgotten.
-- Returns the new total.
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if total == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return total`;
