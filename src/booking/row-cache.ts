/**
 * A bounded, short-lived per-process cache of rows by id (or another unique key: a person by identity hash), for rows the booking path reads on every
 * request although they do not change while people book: facilities (names and addresses for the
 * confirmation and the reply) and slots (which campaign, facility, date, vaccine and dose a slot
 * is). Each hit saves a database round trip on the hot path.
 *
 * A cached slot's `booked` count is stale by design: capacity is never read from here, it is
 * enforced by the conditional UPDATE that takes the seat, and no answer shows it (free seats come
 * from the uncached slot search and the refusal's alternatives, or the 1 s region cache). Misses (no row) are not cached, so a row
 * created later is found. Entries live `ttlMs` at most; when `maxEntries` is reached the oldest
 * entry is dropped (Map keeps insertion order).
 *
 * With `loadMany`, the misses of one turn of the event loop on one connection are read in ONE
 * statement (`WHERE id IN (…)`): concurrent bookings each need their person and slot, and a round
 * trip costs the service and Postgres far more than a row does (the bench's CPU profile: most of a
 * booking's Node CPU was the sockets' writes). Each caller still gets only its own row; a failed
 * read fails the callers of that batch, as the one read would have.
 */
import type { Clock } from '../platform/clock.ts';

/** A cached finder; `prime` stores a row read by another statement (a slot's read brings its facility). */
export type CachedFinder<D, R, K = number> = ((db: D, id: K) => Promise<R | undefined>) & {
  prime(id: K, row: R): void;
};

export function cachedById<D, R, K = number>(
  load: (db: D, id: K) => Promise<R | undefined>,
  o: {
    clock: Clock;
    ttlMs: number;
    maxEntries: number;
    /** Reads several rows at once, keyed by id: then misses are batched per connection and loop turn. */
    loadMany?: (db: D, ids: readonly K[]) => Promise<ReadonlyMap<K, R>>;
  },
): CachedFinder<D, R, K> {
  const entries = new Map<K, { row: R; untilMs: number }>();
  // Concurrent misses for one id on one connection share one load (the first requests after a start
  // or an expiry would otherwise each read the same row). Keyed by connection too: a transaction's
  // read never waits on a pool read (on PGlite's one connection that would wait forever).
  const loading = new Map<D, Map<K, Promise<R | undefined>>>();
  const batches = new Map<D, Map<K, { resolve(r: R | undefined): void; reject(e: unknown): void }>>();
  const loadMany = o.loadMany;
  function batched(db: D, id: K): Promise<R | undefined> {
    if (!loadMany) return load(db, id);
    let batch = batches.get(db);
    if (!batch) {
      const waiting = new Map<K, { resolve(r: R | undefined): void; reject(e: unknown): void }>();
      batch = waiting;
      batches.set(db, waiting);
      setImmediate(() => {
        batches.delete(db);
        loadMany(db, [...waiting.keys()]).then(
          (rows) => {
            for (const [k, w] of waiting) w.resolve(rows.get(k));
          },
          (e: unknown) => {
            for (const w of waiting.values()) w.reject(e);
          },
        );
      });
    }
    const b = batch;
    return new Promise((resolve, reject) => b.set(id, { resolve, reject }));
  }
  function remember(id: K, row: R, now: number): void {
    entries.delete(id);
    if (entries.size >= o.maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(id, { row, untilMs: now + o.ttlMs });
  }
  async function loadOnce(db: D, id: K, now: number): Promise<R | undefined> {
    const row = await batched(db, id);
    if (row === undefined) entries.delete(id);
    else remember(id, row, now);
    return row;
  }
  const find = (db: D, id: K): Promise<R | undefined> => {
    const now = o.clock.nowMs();
    const hit = entries.get(id);
    if (hit && hit.untilMs > now) return Promise.resolve(hit.row);
    const onDb = loading.get(db) ?? new Map<K, Promise<R | undefined>>();
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
  return Object.assign(find, { prime: (id: K, row: R) => remember(id, row, o.clock.nowMs()) });
}

/**
 * Two kinds of rows whose batched misses of one turn are read in ONE call of `readBoth` (a booking
 * misses its person and its slot in the same turn: one statement instead of two). Each kind's
 * `loadMany` goes to a cachedById of its own; what they are asked for, per connection, until the
 * end of the turn in which the first of them was asked is read together. `readBoth` gets an empty
 * list for a kind nobody asked for.
 */
export function readTogether<D, A, B>(
  readBoth: (
    db: D,
    aIds: readonly number[],
    bIds: readonly number[],
  ) => Promise<{ a: ReadonlyMap<number, A>; b: ReadonlyMap<number, B> }>,
) {
  const pending = new Map<
    D,
    { a: Set<number>; b: Set<number>; read: Promise<{ a: ReadonlyMap<number, A>; b: ReadonlyMap<number, B> }> }
  >();
  function turnOf(db: D) {
    let turn = pending.get(db);
    if (!turn) {
      const a = new Set<number>();
      const b = new Set<number>();
      const read = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        pending.delete(db);
        return readBoth(db, [...a], [...b]);
      });
      turn = { a, b, read };
      pending.set(db, turn);
    }
    return turn;
  }
  return {
    loadManyA: async (db: D, ids: readonly number[]): Promise<ReadonlyMap<number, A>> => {
      const turn = turnOf(db);
      for (const id of ids) turn.a.add(id);
      return (await turn.read).a;
    },
    loadManyB: async (db: D, ids: readonly number[]): Promise<ReadonlyMap<number, B>> => {
      const turn = turnOf(db);
      for (const id of ids) turn.b.add(id);
      return (await turn.read).b;
    },
  };
}
