import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteBatcher } from './write-batcher.ts';

/** A run whose batches the test releases by hand. */
function heldRuns() {
  const batches: { items: readonly number[]; release: (e?: Error) => void }[] = [];
  const run = (items: readonly number[]) =>
    new Promise<readonly string[]>((resolve, reject) => {
      batches.push({ items, release: (e) => (e ? reject(e) : resolve(items.map((i) => `ok ${i}`))) });
    });
  return { batches, run };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('write batcher (group commit)', () => {
  it('a write alone goes at once, by itself', async () => {
    const h = heldRuns();
    const b = createWriteBatcher({ run: h.run, maxBatch: 10, maxInFlight: 1 });
    const p = b.write(1);
    assert.deepEqual(
      h.batches.map((x) => x.items),
      [[1]],
    );
    h.batches[0]!.release();
    assert.equal(await p, 'ok 1');
  });

  it('writes that arrive while the slots are busy go together as the next batch, each with its own answer', async () => {
    const h = heldRuns();
    const b = createWriteBatcher({ run: h.run, maxBatch: 3, maxInFlight: 1 });
    const first = b.write(1);
    const rest = [2, 3, 4, 5].map((i) => b.write(i));
    assert.equal(b.waiting, 4);
    h.batches[0]!.release();
    await first;
    await tick();
    assert.deepEqual(
      h.batches.map((x) => x.items),
      [[1], [2, 3, 4]],
      'at most maxBatch per batch',
    );
    h.batches[1]!.release();
    await tick();
    h.batches[2]!.release();
    assert.deepEqual(await Promise.all(rest), ['ok 2', 'ok 3', 'ok 4', 'ok 5']);
  });

  it('keeps maxInFlight batches at the database', async () => {
    const h = heldRuns();
    const b = createWriteBatcher({ run: h.run, maxBatch: 10, maxInFlight: 2 });
    const ps = [1, 2, 3, 4].map((i) => b.write(i));
    assert.deepEqual(
      h.batches.map((x) => x.items),
      [[1], [2]],
    );
    h.batches[1]!.release();
    await tick();
    assert.deepEqual(h.batches[2]!.items, [3, 4]);
    h.batches[0]!.release();
    h.batches[2]!.release();
    assert.deepEqual(await Promise.all(ps), ['ok 1', 'ok 2', 'ok 3', 'ok 4']);
  });

  it('a failed batch rejects its own items only, and the next batch still goes', async () => {
    const h = heldRuns();
    const b = createWriteBatcher({ run: h.run, maxBatch: 10, maxInFlight: 1 });
    const first = b.write(1);
    const second = b.write(2);
    h.batches[0]!.release(new Error('connection lost'));
    await assert.rejects(first, /connection lost/);
    await tick();
    h.batches[1]!.release();
    assert.equal(await second, 'ok 2');
  });
});
