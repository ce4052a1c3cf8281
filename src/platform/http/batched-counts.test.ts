import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBatchedCounter, type SharedCountPort } from './batched-counts.ts';

const WINDOW_MS = 60_000;

/** Redis as the counter sees it: one total per key, every add recorded. */
function fakeRedis() {
  const totals = new Map<string, number>();
  const adds: { key: string; delta: number }[] = [];
  let failing = false;
  const port: SharedCountPort = {
    async add(key, delta) {
      if (failing) throw new Error('redis down');
      adds.push({ key, delta });
      const t = (totals.get(key) ?? 0) + delta;
      totals.set(key, t);
      return t;
    },
  };
  return {
    port,
    totals,
    adds,
    fail: (on: boolean) => {
      failing = on;
    },
  };
}

function counterOver(shared: SharedCountPort, o: { batch?: number; maxKeys?: number; now?: () => number } = {}) {
  const c = createBatchedCounter({
    shared,
    nameSpace: 'ns:',
    batch: o.batch ?? 4,
    maxKeys: o.maxKeys ?? 1_000,
    nowMs: o.now ?? (() => 5 * WINDOW_MS + 1_000),
  });
  return (key: string, max: number) =>
    new Promise<{ current: number; ttl: number }>((resolve, reject) =>
      c.incr(key, (e, counted) => (e ? reject(e) : resolve(counted!)), WINDOW_MS, max),
    );
}

/** Lets the answers of adds already sent come back (the fake answers in a microtask). */
const settle = () => new Promise((r) => setImmediate(r));

describe('batched shared counter', () => {
  it('asks Redis nothing about a key seen fewer times than the batch', async () => {
    const redis = fakeRedis();
    const incr = counterOver(redis.port, { batch: 4 });
    for (const key of ['a', 'b', 'b', 'c', 'c', 'c']) assert.ok((await incr(key, 100)).current <= 3);
    await settle();
    assert.deepEqual(redis.adds, []);
  });

  it('adds a key’s counts to Redis a batch at a time, under the window’s key', async () => {
    const redis = fakeRedis();
    const incr = counterOver(redis.port, { batch: 4 });
    for (let i = 0; i < 9; i += 1) await incr('a', 100);
    await settle();
    assert.deepEqual(redis.adds, [
      { key: 'ns:a:5', delta: 4 },
      { key: 'ns:a:5', delta: 4 },
    ]);
  });

  it('is exact in one process: refuses the first count past the maximum, with the time left in the window', async () => {
    const redis = fakeRedis();
    const incr = counterOver(redis.port, { batch: 4 });
    const counts = [];
    for (let i = 0; i < 11; i += 1) {
      counts.push(await incr('a', 10));
      await settle();
    }
    assert.deepEqual(
      counts.map((c) => c.current),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    );
    assert.equal(counts[10]!.ttl, WINDOW_MS - 1_000);
  });

  it('lets a key through at most max + N × (batch - 1) times over N processes sharing Redis', async () => {
    const redis = fakeRedis();
    const processes = [0, 1, 2].map(() => counterOver(redis.port, { batch: 4 }));
    let allowed = 0;
    for (let i = 0; i < 300; i += 1) {
      if ((await processes[i % 3]!('a', 50)).current <= 50) allowed += 1;
      await settle();
    }
    assert.ok(allowed >= 50, `allowed ${allowed}`);
    assert.ok(allowed <= 50 + 3 * 3, `allowed ${allowed}`);
  });

  it('sees the counts other processes added once its own batch is answered', async () => {
    const redis = fakeRedis();
    redis.totals.set('ns:a:5', 40);
    const incr = counterOver(redis.port, { batch: 4 });
    for (let i = 0; i < 4; i += 1) await incr('a', 45);
    await settle();
    assert.equal((await incr('a', 45)).current, 45);
    assert.equal((await incr('a', 45)).current, 46, 'over 45: refused');
  });

  it('starts every key again when the clock enters the next window', async () => {
    const redis = fakeRedis();
    let now = 5 * WINDOW_MS + 59_000;
    const incr = counterOver(redis.port, { batch: 4, now: () => now });
    for (let i = 0; i < 3; i += 1) await incr('a', 3);
    assert.equal((await incr('a', 3)).current, 4);
    now += 2_000;
    assert.equal((await incr('a', 3)).current, 1);
  });

  it('keeps the counts of a failed add and sends them with the next batch', async () => {
    const redis = fakeRedis();
    const incr = counterOver(redis.port, { batch: 2 });
    redis.fail(true);
    await incr('a', 100);
    await incr('a', 100);
    await settle();
    redis.fail(false);
    await incr('a', 100);
    await settle();
    assert.equal(redis.totals.get('ns:a:5'), 3);
  });

  it('waits for Redis on each request of a key that does not fit (exact, as an unbatched store)', async () => {
    const redis = fakeRedis();
    redis.totals.set('ns:z:5', 7);
    const incr = counterOver(redis.port, { batch: 4, maxKeys: 1 });
    await incr('a', 100);
    assert.equal((await incr('z', 100)).current, 8);
    assert.deepEqual(redis.adds, [{ key: 'ns:z:5', delta: 1 }]);
  });
});
