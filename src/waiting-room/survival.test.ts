import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyQueueTicket } from './ticket.ts';
import { CAMPAIGN, keys, newHarness, OPENS, person, type Harness } from '../../test/support/waiting-room.ts';

const ref = { campaignId: CAMPAIGN, partition: 0 };
const at = (h: Harness) => ({ nowMs: h.clock.nowMs(), opensAtMs: OPENS });
function value<T>(r: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!r.ok) assert.fail(`expected ok, got ${r.reason}`);
  return r.value;
}
const poll = (h: Harness, i: number, ticket: string) =>
  h.service.pollStatus({ campaignId: CAMPAIGN, ticket, deviceId: `device-${i}` });
const seqOf = (ticket: string) =>
  value(verifyQueueTicket(ticket, keys.ticket, { campaignId: CAMPAIGN, nowMs: OPENS, maxAgeMs: 1e12 })).seq;

describe('surviving a store that lost the queue', () => {
  it('keeps everyone in their order and gives nobody a second admission id', async () => {
    const h = await newHarness({ startMs: OPENS });
    const tickets: string[] = [];
    for (let i = 1; i <= 10; i += 1) tickets.push(value(await h.service.joinQueue(person(i))).ticket);
    value(await h.store.advanceCursor(ref, { count: 4, graceMs: 60_000 }, at(h)));
    await h.service.refreshSnapshot();
    const firstIds = new Map<number, string>();
    for (const i of [1, 2]) {
      const s = value(await poll(h, i, tickets[i - 1]!)).status;
      assert.equal(s.kind, 'admitted');
      if (s.kind === 'admitted') firstIds.set(i, s.admissionId);
    }
    value(await h.service.writeCheckpoint(CAMPAIGN));

    h.store.simulateLoss();
    h.clock.advance(5_000);
    const ids = new Map<number, string>();
    const positions = new Map<number, number>();
    for (let i = 10; i >= 1; i -= 1) {
      // everyone comes back, in the worst order
      const s = value(await poll(h, i, tickets[i - 1]!)).status;
      if (s.kind === 'admitted') ids.set(i, s.admissionId);
      else if (s.kind === 'waiting') positions.set(i, s.position);
    }
    assert.deepEqual([...ids.keys()].sort(), [1, 2, 3, 4]);
    assert.equal(ids.get(1), firstIds.get(1));
    assert.equal(ids.get(2), firstIds.get(2));
    assert.deepEqual(
      [5, 6, 7, 8, 9, 10].map((i) => positions.get(i)),
      [1, 2, 3, 4, 5, 6],
    );
    const stats = value(await h.store.stats(ref, at(h)));
    assert.deepEqual([stats.cursor, stats.tail], [4, 10], 'counters came back from the checkpoint');

    await h.service.refreshSnapshot();
    assert.equal(seqOf(value(await h.service.joinQueue(person(11))).ticket), 11, 'newcomers go behind everyone');
    value(await h.store.advanceCursor(ref, { count: 6, graceMs: 60_000 }, at(h)));
    await h.service.refreshSnapshot();
    for (let i = 5; i <= 10; i += 1) {
      assert.equal(value(await poll(h, i, tickets[i - 1]!)).status.kind, 'admitted');
      assert.equal((await h.store.personRecord(ref, `identity-${i}`))?.seq, i, 'reinserted at the seq of their ticket');
    }
    const again = value(await poll(h, 1, tickets[0]!)).status;
    assert.equal(again.kind === 'admitted' && again.admissionId, firstIds.get(1));
  });

  it('puts back people who joined after the last checkpoint, so the cursor can still reach them', async () => {
    const h = await newHarness({ startMs: OPENS });
    for (let i = 1; i <= 3; i += 1) value(await h.service.joinQueue(person(i)));
    value(await h.service.writeCheckpoint(CAMPAIGN));
    const late = [4, 5].map(async (i) => value(await h.service.joinQueue(person(i))).ticket);
    const [t4, t5] = await Promise.all(late);
    h.store.simulateLoss();
    await h.service.refreshSnapshot();
    assert.equal(value(await h.store.stats(ref, at(h))).tail, 3, 'the checkpoint knew only 3');
    assert.equal(value(await poll(h, 5, t5!)).status.kind, 'waiting');
    assert.equal(value(await h.store.stats(ref, at(h))).tail, 5, 'a ticket beyond the tail raised it');
    assert.equal(seqOf(value(await h.service.joinQueue(person(6))).ticket), 6);
    value(await h.store.advanceCursor(ref, { count: 10, graceMs: 60_000 }, at(h)));
    await h.service.refreshSnapshot();
    assert.equal(value(await poll(h, 4, t4!)).status.kind, 'admitted');
    assert.equal((await h.store.personRecord(ref, 'identity-4'))?.seq, 4);
  });

  it('keeps the pre-room order by score when the pre-room was lost before opening', async () => {
    const h = await newHarness();
    const tickets: string[] = [];
    for (let i = 1; i <= 50; i += 1) tickets.push(value(await h.service.joinQueue(person(i))).ticket);
    value(await h.service.writeCheckpoint(CAMPAIGN));
    h.store.simulateLoss();
    await h.service.refreshSnapshot(); // notices the loss and restores the counters
    h.clock.set(OPENS);
    value(await h.store.advanceCursor(ref, { count: 50, graceMs: 60_000 }, at(h)));
    await h.service.refreshSnapshot();
    const placed: { score: number; seq: number; id: string }[] = [];
    for (let i = 1; i <= 50; i += 1) {
      const reply = value(await poll(h, i, tickets[i - 1]!));
      assert.equal(reply.status.kind, 'admitted');
      const t = value(
        verifyQueueTicket(reply.ticket ?? tickets[i - 1]!, keys.ticket, {
          campaignId: CAMPAIGN,
          nowMs: OPENS,
          maxAgeMs: 1e12,
        }),
      );
      placed.push({
        score: t.preScore!,
        seq: t.seq!,
        id: reply.status.kind === 'admitted' ? reply.status.admissionId : '',
      });
    }
    placed.sort((a, b) => a.score - b.score);
    for (let k = 1; k < placed.length; k += 1) assert.ok(placed[k]!.seq >= placed[k - 1]!.seq, 'seq follows score');
    assert.equal(new Set(placed.map((p) => p.id)).size, 50);
    assert.equal(value(await h.store.stats(ref, at(h))).frozen, 50);
  });
});
