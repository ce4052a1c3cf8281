import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedClock } from '../platform/clock.ts';
import { createAdmissionController } from './admission-controller.ts';
import { defaultWaitingRoomSettings, newRoom, seatsLeftNow } from './room.ts';

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
