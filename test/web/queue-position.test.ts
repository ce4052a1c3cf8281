/**
 * The citizen site works out its position from its ticket and the public snapshot; the server's
 * status answer must say the same thing, or people would see their place jump when the heartbeat
 * asks the origin. Both are computed here from the same room (memory store, stepped clock).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { createSnapshotCache } from '../../src/waiting-room/public-snapshot.ts';
import { defaultWaitingRoomSettings } from '../../src/waiting-room/room.ts';
import { QueueSnapshotSchema, type QueueSnapshot } from '../../src/waiting-room/snapshot.schemas.ts';
import type { StatusReply } from '../../src/waiting-room/waiting-room.service.ts';
import { localStatus, readTicket } from '../../web/src/citizen/queue-position.ts';
import { CAMPAIGN, newHarness, OPENS, person, type Harness } from '../support/waiting-room.ts';

const poll = {
  minPollMs: defaultWaitingRoomSettings.minPollMs,
  maxPollMs: defaultWaitingRoomSettings.maxPollMs,
  pollFraction: defaultWaitingRoomSettings.pollFraction,
};

function value<T>(r: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!r.ok) assert.fail(`expected ok, got ${r.reason}`);
  return r.value;
}

function snapshotOf(h: Harness): QueueSnapshot {
  const doc = createSnapshotCache(
    (id) => h.service.roomStatus(id),
    poll,
    defaultWaitingRoomSettings.admissionTtlMs,
  ).replyFor(CAMPAIGN)!.document;
  assert.ok(
    Value.Check(QueueSnapshotSchema, doc),
    [...Value.Errors(QueueSnapshotSchema, doc)].map((e) => `${e.path} ${e.message}`).join('; '),
  );
  return doc;
}

/** Admit `counts[p]` more in each partition per second for a few seconds, so rates are measured. */
async function admitOverSeconds(h: Harness, perSecond: number[][]): Promise<void> {
  for (const counts of perSecond) {
    h.clock.advance(1_000);
    for (const [partition, count] of counts.entries()) {
      if (count > 0)
        value(
          await h.store.advanceCursor(
            { campaignId: CAMPAIGN, partition },
            { count, graceMs: 60_000 },
            { nowMs: h.clock.nowMs(), opensAtMs: OPENS },
          ),
        );
    }
    await h.service.refreshSnapshot();
  }
}

function serverView(reply: StatusReply) {
  const s = reply.status;
  if (s.kind !== 'waiting') return { kind: s.kind };
  const eta = s.eta && {
    seconds: Math.round(s.eta.expectedMs / 1000),
    lowSeconds: Math.round(s.eta.lowMs / 1000),
    highSeconds: s.eta.highMs === null ? null : Math.round(s.eta.highMs / 1000),
    isFromPlan: s.eta.isFromPlan,
  };
  return {
    kind: 'waiting',
    position: s.position,
    ahead: s.ahead,
    behind: s.behind,
    isEstimate: s.isEstimate,
    eta,
    nextPollMs: s.nextPollMs,
    progress: s.progress,
    reference: s.reference,
  };
}

async function compareEveryone(h: Harness, tickets: string[]): Promise<{ waiting: number; reached: number }> {
  const snap = snapshotOf(h);
  let waiting = 0,
    reached = 0;
  for (const [i, ticket] of tickets.entries()) {
    const local = localStatus(readTicket(ticket)!, snap);
    if (local.kind === 'ask-origin') {
      reached += 1;
      continue;
    }
    const server = serverView(
      value(await h.service.pollStatus({ campaignId: CAMPAIGN, ticket, deviceId: `device-${i + 1}` })),
    );
    assert.deepEqual(local, server, `person ${i + 1}`);
    waiting += 1;
  }
  return { waiting, reached };
}

describe('position worked out in the browser', () => {
  for (const partitions of [1, 4]) {
    it(`equals the server's status for everyone still waiting (${partitions} partition${partitions > 1 ? 's' : ''}), and asks the origin once the cursor reaches the place`, async () => {
      const h = await newHarness({ startMs: OPENS, partitions });
      const tickets: string[] = [];
      for (let i = 1; i <= 400; i += 1) tickets.push(value(await h.service.joinQueue(person(i))).ticket);
      await h.service.refreshSnapshot();
      const before = await compareEveryone(h, tickets);
      assert.deepEqual(before, { waiting: 400, reached: 0 }, 'no rate measured yet: positions, ETA from the plan');
      await admitOverSeconds(
        h,
        [
          [3, 2, 4, 1],
          [5, 1, 2, 3],
          [0, 0, 0, 0],
          [4, 4, 4, 4],
        ].map((c) => c.slice(0, partitions)),
      );
      const after = await compareEveryone(h, tickets);
      assert.equal(after.waiting + after.reached, 400);
      assert.ok(after.reached > 0 && after.waiting > 300, JSON.stringify(after));
    });
  }

  it("follows the operator's planned turnover over a wait, as the server does", async () => {
    // A full session cap (room for 1): every second is a turnover sample, shaped by the plan's fall.
    const h = await newHarness({ startMs: OPENS, partitions: 4, controller: { activeSessionCap: 1 } });
    const tickets: string[] = [];
    for (let i = 1; i <= 2_000; i += 1) tickets.push(value(await h.service.joinQueue(person(i))).ticket);
    const curve = [12, 9, 6, 4, 3];
    value(
      await h.service.setAdmissionSettings(CAMPAIGN, {
        plannedRatePerSec: 8,
        plannedTurnoverPerSec: curve,
        message: null,
      }),
    );
    await admitOverSeconds(
      h,
      Array.from({ length: 30 }, () => [3, 3, 3, 3]),
    );
    const snap = snapshotOf(h);
    assert.ok(snap.rateShape && snap.rateShape.length === 20, JSON.stringify(snap.rateShape));
    assert.ok(snap.rateShape[3]! < snap.rateShape[0]!, 'the plan falls: so does the shape');
    const back = localStatus(readTicket(tickets[1_999]!)!, snap);
    const flat = localStatus(readTicket(tickets[1_999]!)!, { ...snap, rateShape: null });
    assert.ok(back.kind === 'waiting' && flat.kind === 'waiting' && back.eta && flat.eta);
    assert.ok(back.eta.seconds > flat.eta.seconds, `${flat.eta.seconds} s flat, ${back.eta.seconds} s shaped`);
    const { waiting } = await compareEveryone(h, tickets);
    assert.ok(waiting > 1_500, String(waiting));
  });

  it('gives no ETA beyond the seats no session holds, as the server does (2021-07-19 at 1/100, T+43)', async () => {
    // 10 seats left; 8 people let in and booking: 2 seats open. The next two get an ETA; from the
    // third on, a place waits for sessions that end without booking, which no rate says when.
    const seats = { seatsOf: async () => ({ seatsLeft: 10, nextSeatsAtMs: null }) };
    const h = await newHarness({ startMs: OPENS, seats });
    const tickets: string[] = [];
    for (let i = 1; i <= 30; i += 1) tickets.push(value(await h.service.joinQueue(person(i))).ticket);
    await admitOverSeconds(h, [[4], [4]]);
    for (let i = 1; i <= 8; i += 1) {
      const r = value(
        await h.service.pollStatus({ campaignId: CAMPAIGN, ticket: tickets[i - 1]!, deviceId: `device-${i}` }),
      );
      assert.equal(r.status.kind, 'admitted', `person ${i}`);
    }
    await h.service.refreshSnapshot();
    assert.equal(snapshotOf(h).seatsOpen, 2);
    const etaOf = (i: number) => {
      const local = localStatus(readTicket(tickets[i - 1]!)!, snapshotOf(h));
      return local.kind === 'waiting' ? local.eta : 'not waiting';
    };
    assert.notEqual(etaOf(9), null, 'first behind the sessions: a seat is open for them');
    assert.notEqual(etaOf(10), null);
    assert.equal(etaOf(11), null, 'third: every seat before them is held');
    assert.equal(etaOf(30), null);
    assert.deepEqual(await compareEveryone(h, tickets), { waiting: 22, reached: 8 });
  });

  it('counts the other partitions a seat may go to first, as the server does (2021-07-19 at 1/50, T+48)', async () => {
    // 4 partitions, 12 seats left, 8 people let in: 4 seats open. A seat may go to each busy
    // partition's next place first, so only places within 4 − 4 + 1 = the first of the room have one
    // for sure; the first of each partition is shown no ETA once fewer seats are open than partitions.
    let seatsLeft = 12;
    const seats = { seatsOf: async () => ({ seatsLeft, nextSeatsAtMs: null }) };
    const h = await newHarness({ startMs: OPENS, partitions: 4, seats });
    const tickets: string[] = [];
    for (let i = 1; i <= 80; i += 1) tickets.push(value(await h.service.joinQueue(person(i))).ticket);
    await admitOverSeconds(h, [[2, 2, 2, 2]]);
    const firstOfEach = new Map<number, string>();
    for (const [i, ticket] of tickets.entries()) {
      const r = value(await h.service.pollStatus({ campaignId: CAMPAIGN, ticket, deviceId: `device-${i + 1}` }));
      if (r.status.kind === 'waiting' && r.status.ahead === 0) firstOfEach.set(readTicket(ticket)!.partition, ticket);
    }
    await h.service.refreshSnapshot();
    assert.equal(snapshotOf(h).seatsOpen, 4);
    assert.equal(firstOfEach.size, 4, 'the first waiting in each partition');
    const etas = (ticket: string) => {
      const local = localStatus(readTicket(ticket)!, snapshotOf(h));
      return local.kind === 'waiting' ? local.eta : 'not waiting';
    };
    for (const ticket of firstOfEach.values()) assert.notEqual(etas(ticket), null, 'as many seats open as partitions');
    // Two seats booked elsewhere: 2 open for 4 partitions' next places, none of them sure of one.
    seatsLeft = 10;
    h.clock.advance(10_000);
    await h.service.refreshSnapshot();
    assert.equal(snapshotOf(h).seatsOpen, 2);
    for (const ticket of firstOfEach.values()) assert.equal(etas(ticket), null);
    const { waiting } = await compareEveryone(h, tickets);
    assert.equal(waiting, 72);
  });

  it('shows the pre-opening room before the opening, as the server does', async () => {
    const h = await newHarness({ startMs: OPENS - 30_000 });
    const ticket = value(await h.service.joinQueue(person(1))).ticket;
    await h.service.refreshSnapshot();
    const local = localStatus(readTicket(ticket)!, snapshotOf(h));
    const server = value(await h.service.pollStatus({ campaignId: CAMPAIGN, ticket, deviceId: 'device-1' })).status;
    assert.equal(server.kind, 'pre-room');
    assert.deepEqual(
      local,
      server.kind === 'pre-room' && {
        kind: 'pre-opening',
        opensAtMs: server.opensAtMs,
        preRoomSize: server.preRoomSize,
        nextPollMs: server.nextPollMs,
      },
    );
  });

  it('estimates an unresolved pre-room place as the server does, and leaves the front to the origin', async () => {
    // A slow planned rate (1/s), so most of the 600 are far from the front window (3 × p90 × 10 s).
    const h = await newHarness({ startMs: OPENS - 30_000, controller: { initialRatePerSec: 1, minRatePerSec: 1 } });
    const tickets: string[] = [];
    for (let i = 1; i <= 600; i += 1) tickets.push(value(await h.service.joinQueue(person(i))).ticket);
    h.clock.set(OPENS + 1_000);
    await h.service.refreshSnapshot();
    const snap = snapshotOf(h);
    let estimated = 0;
    for (const [i, issued] of tickets.entries()) {
      // Issued before the opening, the ticket hides its score: the browser asks the origin, which
      // reissues it with the score; from then on the browser estimates by itself.
      assert.equal(localStatus(readTicket(issued)!, snap).kind, 'ask-origin');
      const ticket =
        value(await h.service.pollStatus({ campaignId: CAMPAIGN, ticket: issued, deviceId: `device-${i + 1}` }))
          .ticket ?? issued;
      const local = localStatus(readTicket(ticket)!, snap);
      if (local.kind === 'ask-origin') continue;
      const server = serverView(
        value(await h.service.pollStatus({ campaignId: CAMPAIGN, ticket, deviceId: `device-${i + 1}` })),
      );
      assert.deepEqual(local, server, `pre-room person ${i + 1}`);
      if (local.kind === 'waiting' && local.isEstimate) estimated += 1;
    }
    assert.ok(estimated > 300, `most of 600 are far from the front and estimated locally (${estimated})`);
  });

  it('cannot read a ticket that is not one (the origin then decides)', () => {
    assert.equal(readTicket('not-a-ticket'), null);
    assert.equal(readTicket(`${Buffer.from('{"v":2}').toString('base64url')}.mac`), null);
  });
});
