import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../platform/clock.ts';
import { cachedById, readTogether } from './row-cache.ts';

function countingLoader(rows: Map<number, string>) {
  const calls: number[] = [];
  return {
    calls,
    load: async (_db: unknown, id: number) => {
      calls.push(id);
      return rows.get(id);
    },
  };
}

describe('cachedById', () => {
  it('loads a row once and answers from memory until it expires', async () => {
    const clock = fixedClock(0);
    const l = countingLoader(new Map([[1, 'one']]));
    const find = cachedById(l.load, { clock, ttlMs: 1_000, maxEntries: 10 });
    assert.equal(await find(null, 1), 'one');
    assert.equal(await find(null, 1), 'one');
    assert.deepEqual(l.calls, [1]);
    clock.advance(1_000);
    assert.equal(await find(null, 1), 'one');
    assert.deepEqual(l.calls, [1, 1]);
  });

  it('answers a primed row from memory without reading it, until it expires', async () => {
    const clock = fixedClock(0);
    const l = countingLoader(new Map([[3, 'three from the database']]));
    const find = cachedById(l.load, { clock, ttlMs: 1_000, maxEntries: 10 });
    find.prime(3, 'three');
    assert.equal(await find(null, 3), 'three');
    assert.deepEqual(l.calls, []);
    clock.advance(1_000);
    assert.equal(await find(null, 3), 'three from the database');
    assert.deepEqual(l.calls, [3]);
  });

  it('does not remember a missing row, so one created later is found', async () => {
    const rows = new Map<number, string>();
    const l = countingLoader(rows);
    const find = cachedById(l.load, { clock: fixedClock(0), ttlMs: 60_000, maxEntries: 10 });
    assert.equal(await find(null, 7), undefined);
    rows.set(7, 'seven');
    assert.equal(await find(null, 7), 'seven');
  });

  it('holds at most maxEntries rows, dropping the oldest', async () => {
    const l = countingLoader(
      new Map([
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
      ]),
    );
    const find = cachedById(l.load, { clock: fixedClock(0), ttlMs: 60_000, maxEntries: 2 });
    await find(null, 1);
    await find(null, 2);
    await find(null, 3);
    await find(null, 3);
    await find(null, 2);
    assert.deepEqual(l.calls, [1, 2, 3]);
    await find(null, 1);
    assert.deepEqual(l.calls, [1, 2, 3, 1]);
  });

  it('shares one load among concurrent misses on one connection, and never across connections', async () => {
    const l = countingLoader(new Map([[1, 'one']]));
    const find = cachedById(l.load, { clock: fixedClock(0), ttlMs: 60_000, maxEntries: 10 });
    const pool = {},
      transaction = {};
    const answers = await Promise.all([find(pool, 1), find(pool, 1), find(pool, 1), find(transaction, 1)]);
    assert.deepEqual(answers, ['one', 'one', 'one', 'one']);
    assert.deepEqual(l.calls, [1, 1], "one load for the pool's three, one for the transaction");
    assert.equal(await find(pool, 1), 'one');
    assert.deepEqual(l.calls, [1, 1]);
  });

  it('lets a failed load fail every waiter, and tries again on the next call', async () => {
    let fail = true;
    const find = cachedById(
      async () => {
        if (fail) throw new Error('connection reset');
        return 'row';
      },
      { clock: fixedClock(0), ttlMs: 60_000, maxEntries: 10 },
    );
    const results = await Promise.allSettled([find(null, 1), find(null, 1)]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    fail = false;
    assert.equal(await find(null, 1), 'row');
  });

  it('reads the misses of one loop turn on one connection in one batch, each caller getting its own row', async () => {
    const rows = new Map([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
    const batches: { db: unknown; ids: readonly number[] }[] = [];
    const single = countingLoader(rows);
    const find = cachedById(single.load, {
      clock: fixedClock(0),
      ttlMs: 60_000,
      maxEntries: 10,
      loadMany: async (db, ids) => {
        batches.push({ db, ids });
        return new Map(ids.flatMap((id) => (rows.has(id) ? [[id, rows.get(id)!] as const] : [])));
      },
    });
    const pool = {},
      transaction = {};
    const answers = await Promise.all([
      find(pool, 1),
      find(pool, 2),
      find(pool, 9),
      find(pool, 1),
      find(transaction, 3),
    ]);
    assert.deepEqual(answers, ['one', 'two', undefined, 'one', 'three']);
    assert.deepEqual(batches, [
      { db: pool, ids: [1, 2, 9] },
      { db: transaction, ids: [3] },
    ]);
    assert.deepEqual(single.calls, [], 'no row read alone');
    assert.equal(await find(pool, 2), 'two', 'cached after the batch');
    assert.equal(batches.length, 2);
  });

  it('fails only the callers of a failed batch; the next turn reads again', async () => {
    let fail = true;
    const find = cachedById(async () => 'unused', {
      clock: fixedClock(0),
      ttlMs: 60_000,
      maxEntries: 10,
      loadMany: async (_db, ids) => {
        if (fail) throw new Error('connection reset');
        return new Map(ids.map((id) => [id, `row ${id}`]));
      },
    });
    const failed = await Promise.allSettled([find(null, 1), find(null, 2)]);
    assert.deepEqual(
      failed.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    fail = false;
    assert.deepEqual(await Promise.all([find(null, 1), find(null, 2)]), ['row 1', 'row 2']);
  });

  it("reads two finders' misses of one turn in one call, per connection, each caller getting its own row", async () => {
    const people = new Map([[1, 'person 1']]);
    const slots = new Map([[7, 'slot 7']]);
    const calls: { db: unknown; personIds: readonly number[]; slotIds: readonly number[] }[] = [];
    const both = readTogether<unknown, string, string>(async (db, personIds, slotIds) => {
      calls.push({ db, personIds, slotIds });
      const pick = (rows: Map<number, string>, ids: readonly number[]) =>
        new Map(ids.flatMap((id) => (rows.has(id) ? [[id, rows.get(id)!] as const] : [])));
      return { a: pick(people, personIds), b: pick(slots, slotIds) };
    });
    const o = { clock: fixedClock(0), ttlMs: 60_000, maxEntries: 10 };
    const findPerson = cachedById(async () => 'read alone', { ...o, loadMany: both.loadManyA });
    const findSlot = cachedById(async () => 'read alone', { ...o, loadMany: both.loadManyB });
    const pool = {},
      transaction = {};
    const answers = await Promise.all([
      findPerson(pool, 1),
      findSlot(pool, 7),
      findSlot(pool, 8),
      findPerson(transaction, 1),
    ]);
    assert.deepEqual(answers, ['person 1', 'slot 7', undefined, 'person 1']);
    assert.deepEqual(calls, [
      { db: pool, personIds: [1], slotIds: [7, 8] },
      { db: transaction, personIds: [1], slotIds: [] },
    ]);
    assert.equal(await findSlot(pool, 7), 'slot 7', 'cached after the read');
    assert.equal(calls.length, 2);
  });
});
