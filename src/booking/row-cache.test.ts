import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../platform/clock.ts';
import { cachedById } from './row-cache.ts';

function countingLoader(rows: Map<number, string>) {
  const calls: number[] = [];
  return { calls, load: async (_db: unknown, id: number) => { calls.push(id); return rows.get(id); } };
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

  it('does not remember a missing row, so one created later is found', async () => {
    const rows = new Map<number, string>();
    const l = countingLoader(rows);
    const find = cachedById(l.load, { clock: fixedClock(0), ttlMs: 60_000, maxEntries: 10 });
    assert.equal(await find(null, 7), undefined);
    rows.set(7, 'seven');
    assert.equal(await find(null, 7), 'seven');
  });

  it('holds at most maxEntries rows, dropping the oldest', async () => {
    const l = countingLoader(new Map([[1, 'a'], [2, 'b'], [3, 'c']]));
    const find = cachedById(l.load, { clock: fixedClock(0), ttlMs: 60_000, maxEntries: 2 });
    await find(null, 1); await find(null, 2); await find(null, 3);
    await find(null, 3); await find(null, 2);
    assert.deepEqual(l.calls, [1, 2, 3]);
    await find(null, 1);
    assert.deepEqual(l.calls, [1, 2, 3, 1]);
  });
});
