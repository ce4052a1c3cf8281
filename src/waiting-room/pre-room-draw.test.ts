import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryDrawSeeds, drawScore, seedCommitment, ticketIdOf } from './pre-room-draw.ts';
import { verifyQueueTicket } from './ticket.ts';
import { CAMPAIGN, keys, newHarness, OPENS, person } from '../../test/support/waiting-room.ts';

const value = <T>(r: { ok: true; value: T } | { ok: false; reason: string }): T =>
  r.ok ? r.value : assert.fail(r.reason);
const ref = { campaignId: CAMPAIGN, partition: 0 };
const payloadOf = (ticket: string) =>
  JSON.parse(Buffer.from(ticket.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;

/** A harness whose draw is the real one, over a seed store the test can read. */
async function seededHarness(startMs = OPENS - 60_000) {
  const seeds = createMemoryDrawSeeds();
  const h = await newHarness({ drawSeeds: seeds, startMs });
  const seed = await seeds.seedFor(CAMPAIGN, new Uint8Array(32));
  return { ...h, seed };
}

describe('pre-room draw', () => {
  it('returns the same draw to a person who leaves and rejoins before the opening, ten times over', async () => {
    const h = await seededHarness();
    const scores = new Set<number>();
    for (let k = 0; k < 10; k += 1) {
      const joined = value(await h.service.joinQueue(person(1)));
      scores.add((await h.store.personRecord(ref, person(1).identityHash))!.preScore!);
      value(await h.service.leaveQueue({ ...person(1), ticket: joined.ticket }));
      h.clock.advance(1_000);
    }
    assert.deepEqual([...scores], [drawScore(h.seed, ticketIdOf(CAMPAIGN, person(1).identityHash))]);
  });

  it('does not show the score in the ticket before the opening, and puts it back (reissued ticket) after it', async () => {
    const h = await seededHarness();
    const joined = value(await h.service.joinQueue(person(1)));
    const before = payloadOf(joined.ticket);
    assert.deepEqual([before.s, before.r, before.h], [null, null, 1]);
    assert.ok(!joined.ticket.includes(String(drawScore(h.seed, ticketIdOf(CAMPAIGN, person(1).identityHash)))));
    // Still hidden on a poll before the opening.
    const early = value(await h.service.pollStatus({ ...person(1), ticket: joined.ticket }));
    assert.equal(early.ticket, undefined);

    h.clock.set(OPENS + 1);
    await h.service.refreshSnapshot();
    const after = value(await h.service.pollStatus({ ...person(1), ticket: joined.ticket }));
    const reissued = value(
      verifyQueueTicket(after.ticket!, keys.ticket, { campaignId: CAMPAIGN, nowMs: OPENS + 1, maxAgeMs: 1e12 }),
    );
    assert.equal(reissued.preScore, drawScore(h.seed, ticketIdOf(CAMPAIGN, person(1).identityHash)));
    assert.equal(reissued.isScoreHidden, undefined);
  });

  it('refuses to let a copied ticket leave for its owner (another identity)', async () => {
    const h = await seededHarness();
    const owner = value(await h.service.joinQueue(person(1)));
    const left = await h.service.leaveQueue({
      campaignId: CAMPAIGN,
      ticket: owner.ticket,
      deviceId: person(1).deviceId,
      identityHash: person(2).identityHash,
    });
    assert.deepEqual(left, { ok: false, reason: 'other-identity' });
    assert.equal((await h.store.personRecord(ref, person(1).identityHash))!.state, 'waiting');
  });

  it('publishes the commitment before the opening and the seed and the order after it', async () => {
    const h = await seededHarness();
    for (let i = 1; i <= 30; i += 1) value(await h.service.joinQueue(person(i)));
    const early = value(h.service.drawOf(CAMPAIGN));
    assert.equal(early.commitment, seedCommitment(h.seed));
    assert.equal(early.seed, null);
    assert.deepEqual(await h.service.preRoomOrder(CAMPAIGN, { partition: 0, offset: 0, limit: 100 }), {
      ok: false,
      reason: 'not-open',
    });

    h.clock.set(OPENS);
    assert.equal(value(h.service.drawOf(CAMPAIGN)).seed, Buffer.from(h.seed).toString('hex'));
    const order = value(await h.service.preRoomOrder(CAMPAIGN, { partition: 0, offset: 0, limit: 100 })).ticketIds;
    const expected = Array.from({ length: 30 }, (_, i) => ticketIdOf(CAMPAIGN, person(i + 1).identityHash)).sort(
      (a, b) => drawScore(h.seed, a) - drawScore(h.seed, b),
    );
    assert.deepEqual(order, expected);
    // The published order is the admission order: place k is the person at seq k.
    for (let i = 1; i <= 30; i += 1) {
      const seq = value(await h.store.positionOf(ref, person(i).identityHash, { nowMs: OPENS, opensAtMs: OPENS })).seq!;
      assert.equal(order[seq - 1], ticketIdOf(CAMPAIGN, person(i).identityHash));
    }
  });

  it('keeps one seed per campaign: a second opener gets the first seed', async () => {
    const seeds = createMemoryDrawSeeds();
    const first = await seeds.seedFor('c', new Uint8Array(32).fill(1));
    assert.deepEqual(await seeds.seedFor('c', new Uint8Array(32).fill(2)), first);
  });
});
