/**
 * A bounded, short-lived per-process cache of rows by id, for rows the booking path reads on every
 * request although they do not change while people book: facilities (names and addresses for the
 * confirmation and the reply) and slots (which campaign, facility, date, vaccine and dose a slot
 * is). Each hit saves a database round trip on the hot path.
 *
 * A cached slot's `booked` count is stale by design: capacity is never read from here, it is
 * enforced by the conditional UPDATE that takes the seat, and no answer shows it (free seats come
 * from the uncached slot search and the refusal's alternatives, or the 1 s region cache). Misses (no row) are not cached, so a row
 * created later is found. Entries live `ttlMs` at most; when `maxEntries` is reached the oldest
 * entry is dropped (Map keeps insertion order).
 */
import type { Clock } from '../platform/clock.ts';

export function cachedById<D, R>(
  load: (db: D, id: number) => Promise<R | undefined>,
  o: { clock: Clock; ttlMs: number; maxEntries: number },
): (db: D, id: number) => Promise<R | undefined> {
  const entries = new Map<number, { row: R; untilMs: number }>();
  // Concurrent misses for one id on one connection share one load (the first requests after a start
  // or an expiry would otherwise each read the same row). Keyed by connection too: a transaction's
  // read never waits on a pool read (on PGlite's one connection that would wait forever).
  const loading = new Map<D, Map<number, Promise<R | undefined>>>();
  async function loadOnce(db: D, id: number, now: number): Promise<R | undefined> {
    const row = await load(db, id);
    entries.delete(id);
    if (row !== undefined) {
      if (entries.size >= o.maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(id, { row, untilMs: now + o.ttlMs });
    }
    return row;
  }
  return (db, id) => {
    const now = o.clock.nowMs();
    const hit = entries.get(id);
    if (hit && hit.untilMs > now) return Promise.resolve(hit.row);
    const onDb = loading.get(db) ?? new Map<number, Promise<R | undefined>>();
    const pending = onDb.get(id);
    if (pending) return pending;
    const started = loadOnce(db, id, now).finally(() => {
      onDb.delete(id);
      if (onDb.size === 0) loading.delete(db);
    });
    onDb.set(id, started);
    loading.set(db, onDb);
    return started;
  };
}
