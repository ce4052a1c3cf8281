import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedClock } from '../platform/clock.ts';
import { createAdmissionController } from './admission-controller.ts';
import { defaultWaitingRoomSettings, newRoom, seatsLeftNow } from './room.ts';
import type { SeatCount } from './admission-settings.ts';
import { CAMPAIGN, newHarness, OPENS, person } from '../../test/support/waiting-room.ts';

const room = () =>
  newRoom(
    { campaignId: 'c', opensAtMs: 0, partitions: 1 },
    createAdmissionController({ clock: fixedClock(0) }),
    defaultWaitingRoomSettings,
  );

describe('seats left between reads', () => {
  it('takes a seat off for every claim since the read, and none for the bookings sessions made', () => {
    const r = room();
    assert.equal(seatsLeftNow(r, 5, 100), null, 'seats not counted');
    r.seats = { seatsLeft: 10, nextSeatsAtMs: null, readAtMs: 0 };
    assert.equal(seatsLeftNow(r, 8, 100), 10, 'never read with sessions: the count as read');
    r.seatsBase = { active: 8, claimedTotal: 100 };
    assert.equal(seatsLeftNow(r, 8, 100), 10, 'nothing since');
    // 3 claims since, and 2 sessions booked (8 + 3 − 2 = 9 active): 10 − 2 booked = 8 seats, 9 held by
    // sessions. Counted from the read alone: 10 − 9 = 1 open, and the next in line shown an entry.
    assert.equal(seatsLeftNow(r, 9, 103), 8);
    // Two sessions ended without booking: their seats are seen at the next read (fewer, not more).
    assert.equal(seatsLeftNow(r, 7, 103), 6);
    assert.equal(seatsLeftNow(r, 0, 200), 0, 'never below zero');
  });
});

describe('a seat count read earlier (by another process)', () => {
  const ok = <T>(r: { ok: true; value: T } | { ok: false; reason: string }): T => {
    if (!r.ok) assert.fail(`expected ok, got ${r.reason}`);
    return r.value;
  };
  /** The count another process read at the opening, before anyone was let in: 10 seats, no sessions. */
  const keptAtOpening: SeatCount = {
    seatsLeft: 10,
    nextSeatsAtMs: null,
    countedAt: { atMs: OPENS, base: { active: 0, claimedTotal: 0 } },
  };

  it('counts the sessions and bookings since from its moment, not from the moment it was handed over', async () => {
    const h = await newHarness({ startMs: OPENS, seats: { seatsOf: async () => keptAtOpening } });
    const tickets: string[] = [];
    for (let i = 1; i <= 12; i += 1) tickets.push(ok(await h.service.joinQueue(person(i))).ticket);
    h.clock.advance(1_000);
    ok(
      await h.store.advanceCursor(
        { campaignId: CAMPAIGN, partition: 0 },
        { count: 8, graceMs: 60_000 },
        { nowMs: h.clock.nowMs(), opensAtMs: OPENS },
      ),
    );
    await h.service.refreshSnapshot(CAMPAIGN);
    for (let i = 1; i <= 8; i += 1)
      assert.equal(
        ok(await h.service.pollStatus({ campaignId: CAMPAIGN, ticket: tickets[i - 1]!, deviceId: `device-${i}` }))
          .status.kind,
        'admitted',
      );
    // Two of the eight booked: 8 seats are left in the database, 6 of them held by sessions.
    for (const i of [1, 2])
      ok(await h.service.completeAdmission({ campaignId: CAMPAIGN, identityHash: `identity-${i}` }));
    h.clock.advance(5_000);
    await h.service.refreshSnapshot(CAMPAIGN);
    const status = ok(h.service.roomStatus(CAMPAIGN));
    // From the count's own moment: 10 − 8 claims since + 6 active = 8 left, 2 open. Counted from the
    // moment it was handed over (6 active, 8 claimed), the two seats booked since would look open too.
    assert.equal(status.snapshot?.seatsOpen, 2);
  });

  it('is asked for again when it is seatsEveryMs old, not seatsEveryMs after it was handed over', async () => {
    const asked: number[] = [];
    const seats = {
      seatsOf: async (_id: string, now?: { atMs: number }) => {
        asked.push(now?.atMs ?? -1);
        return { ...keptAtOpening, countedAt: { ...keptAtOpening.countedAt!, atMs: OPENS - 4_000 } };
      },
    };
    const h = await newHarness({ startMs: OPENS, seats });
    h.clock.advance(1_000);
    await h.service.refreshSnapshot(CAMPAIGN);
    assert.deepEqual(asked, [OPENS, OPENS + 1_000]);
  });
});
