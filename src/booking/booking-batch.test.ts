import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBatcher } from './booking-batch.ts';

/** A runner whose batches finish when the test says so; it records what went out. */
function gatedRunner() {
  const sent: number[][] = [];
  const gates: Array<() => void> = [];
  const gate = () => new Promise<void>((resolve) => gates.push(resolve));
  return {
    sent,
    /** Lets the oldest running batch finish, and waits for what that sets off. */
    async finishOne() {
      gates.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    },
    runners: {
      runOne: async (n: number) => {
        sent.push([n]);
        await gate();
        if (n < 0) throw new Error(`refused ${n}`);
        return n * 10;
      },
      runMany: async (ns: readonly number[]) => {
        sent.push([...ns]);
        await gate();
        if (ns.includes(0)) throw new Error('batch lost');
        return ns.map((n) => (n < 0 ? Promise.reject(new Error(`refused ${n}`)) : Promise.resolve(n * 10)));
      },
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('createBatcher', () => {
  it('sends a call made while the path is idle at the end of its turn of the loop, alone', async () => {
    const r = gatedRunner();
    const call = createBatcher({ maxSize: 8, maxInFlight: 1 }, r.runners);
    const one = call(1);
    await flush();
    assert.deepEqual(r.sent, [[1]], 'sent after this turn, without a timer');
    await r.finishOne();
    assert.equal(await one, 10);
  });

  it('sends the calls made in one turn of the loop together, even while batches could go out alone', async () => {
    const r = gatedRunner();
    const call = createBatcher({ maxSize: 8, maxInFlight: 2 }, r.runners);
    const results = [1, 2, 3].map((n) => call(n));
    await flush();
    assert.deepEqual(r.sent, [[1, 2, 3]]);
    const later = call(4);
    await flush();
    assert.deepEqual(r.sent, [[1, 2, 3], [4]], 'a call of a later turn goes out beside the running batch');
    await r.finishOne();
    await r.finishOne();
    assert.deepEqual(await Promise.all([...results, later]), [10, 20, 30, 40]);
  });

  it('sends the calls that arrived while a batch ran together, at most maxSize at a time, each with its own result', async () => {
    const r = gatedRunner();
    const call = createBatcher({ maxSize: 3, maxInFlight: 1 }, r.runners);
    const first = call(1);
    await flush();
    const results = [first, ...[2, 3, 4, 5, 6].map((n) => call(n))];
    await flush();
    assert.deepEqual(r.sent, [[1]]);
    await r.finishOne();
    assert.deepEqual(r.sent, [[1], [2, 3, 4]]);
    await r.finishOne();
    assert.deepEqual(r.sent, [[1], [2, 3, 4], [5, 6]]);
    await r.finishOne();
    assert.deepEqual(await Promise.all(results), [10, 20, 30, 40, 50, 60]);
  });

  it('runs up to maxInFlight batches at once', async () => {
    const r = gatedRunner();
    const call = createBatcher({ maxSize: 8, maxInFlight: 2 }, r.runners);
    const results: Promise<number>[] = [];
    for (const n of [1, 2, 3, 4]) {
      results.push(call(n));
      await flush();
    }
    assert.deepEqual(r.sent, [[1], [2]]);
    await r.finishOne();
    assert.deepEqual(r.sent, [[1], [2], [3, 4]]);
    await r.finishOne();
    await r.finishOne();
    assert.deepEqual(await Promise.all(results), [10, 20, 30, 40]);
  });

  it("fails one call of a batch alone, and every call of a batch that failed as a whole with the batch's error", async () => {
    const r = gatedRunner();
    const call = createBatcher({ maxSize: 8, maxInFlight: 1 }, r.runners);
    const first = call(1);
    await flush();
    const mixed = [2, -3, 4].map((n) => call(n));
    const settledMixed = Promise.allSettled(mixed);
    await r.finishOne();
    const lost = [5, 0, 6].map((n) => call(n));
    const settledLost = Promise.allSettled(lost);
    await r.finishOne();
    await r.finishOne();
    await flush();
    assert.equal(await first, 10);
    assert.deepEqual(
      (await settledMixed).map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message)),
      [20, 'refused -3', 40],
    );
    const errors = (await settledLost).map((s) => (s.status === 'rejected' ? (s.reason as Error) : undefined));
    assert.equal(errors[0]?.message, 'batch lost');
    assert.ok(
      errors.every((e) => e === errors[0]),
      'the same error for every call',
    );
    assert.deepEqual(r.sent, [[1], [2, -3, 4], [5, 0, 6]]);
  });
});
