import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createJoinBatcher } from './join-batch.ts';
import { createMemoryStore } from './memory-store.ts';
import type { Instant, JoinRequest } from './waiting-room.store.ts';

const OPENS = 1_700_000_000_000;
const ref = { campaignId: 'c', partition: 0 };
const req = (i: number) => (): JoinRequest => ({
  identityHash: `id-${i}`,
  deviceId: `dev-${i}`,
  preScore: i,
  lockoutMs: 1_000,
});

/** A defer the test runs by hand, so a test decides when a turn ends. */
function manualTurns() {
  const queued: (() => void)[] = [];
  return {
    defer: (send: () => void) => void queued.push(send),
    endTurn: () => queued.splice(0).forEach((send) => send()),
  };
}

describe('join batcher', () => {
  it('sends what one turn gathered as one call, with the instant read when it is sent', async () => {
    const store = createMemoryStore();
    await store.openQueue(ref);
    const sent: { count: number; at: Instant }[] = [];
    const turns = manualTurns();
    const b = createJoinBatcher({
      store: {
        joinMany: (r, reqs, at) => {
          sent.push({ count: reqs.length, at });
          return store.joinMany(r, reqs, at);
        },
      },
      defer: turns.defer,
    });
    let nowMs = OPENS - 1;
    const instant = () => ({ nowMs, opensAtMs: OPENS });
    const replies = [1, 2, 3].map((i) => b.join(ref, instant, req(i)));
    nowMs = OPENS + 5;
    turns.endTurn();
    const seqs = (await Promise.all(replies)).map((r) => (r.ok ? r.value.seq : r.reason));
    assert.deepEqual(sent, [{ count: 3, at: { nowMs: OPENS + 5, opensAtMs: OPENS } }]);
    assert.deepEqual(seqs, [1, 2, 3], 'placed after the opening: the instant of the send, not of the calls');
  });

  it('sends a full batch at once and starts the next one', async () => {
    const store = createMemoryStore();
    await store.openQueue(ref);
    const sizes: number[] = [];
    const turns = manualTurns();
    const b = createJoinBatcher({
      store: {
        joinMany: (r, reqs, at) => {
          sizes.push(reqs.length);
          return store.joinMany(r, reqs, at);
        },
      },
      defer: turns.defer,
      maxPerCall: 2,
    });
    const instant = () => ({ nowMs: OPENS, opensAtMs: OPENS });
    const replies = [1, 2, 3, 4, 5].map((i) => b.join(ref, instant, req(i)));
    assert.deepEqual(sizes, [2, 2], 'two full batches went before the turn ended');
    turns.endTurn();
    await Promise.all(replies);
    assert.deepEqual(sizes, [2, 2, 1]);
  });

  it('fails every entry of a batch whose store call failed, and the next batch goes on', async () => {
    const turns = manualTurns();
    let calls = 0;
    const b = createJoinBatcher({
      store: {
        joinMany: async (_r, reqs) => {
          calls += 1;
          if (calls === 1) throw new Error('connection lost');
          return { ok: true, value: reqs.map(() => ({ ok: true, value: { kind: 'new', seq: 7, preScore: null } })) };
        },
      },
      defer: turns.defer,
    });
    const instant = () => ({ nowMs: OPENS, opensAtMs: OPENS });
    const failed = [1, 2].map((i) => b.join(ref, instant, req(i)));
    turns.endTurn();
    for (const f of failed) await assert.rejects(f, /connection lost/);
    const next = b.join(ref, instant, req(3));
    turns.endTurn();
    assert.deepEqual(await next, { ok: true, value: { kind: 'new', seq: 7, preScore: null } });
  });

  it("gives each entry the batch's missing-state", async () => {
    const turns = manualTurns();
    const b = createJoinBatcher({ store: createMemoryStore(), defer: turns.defer });
    const instant = () => ({ nowMs: OPENS, opensAtMs: OPENS });
    const replies = [1, 2].map((i) => b.join(ref, instant, req(i)));
    turns.endTurn();
    assert.deepEqual(await Promise.all(replies), [
      { ok: false, reason: 'missing-state' },
      { ok: false, reason: 'missing-state' },
    ]);
  });
});
