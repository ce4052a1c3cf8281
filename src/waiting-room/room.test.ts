import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedClock } from '../platform/clock.ts';
import { createAdmissionController } from './admission-controller.ts';
import { defaultWaitingRoomSettings, markSteady, newRoom, plannedSteadyOf, seatsLeftNow } from './room.ts';
import { curveAt, SHAPE_PRIOR_SHARE, turnoverShape } from './snapshot.ts';
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

describe('the planned turnover fall, counted on as far as the measured rate shows it (issue 14 item 5)', () => {
  // The full-scale 2021-07-19 rehearsal's model: 175/s falling to 80/s in ten minutes, then flat.
  const curve = [175, 162, 148, 135, 124, 113, 102, 94, 89, 80, 80, 80];
  const planned = (measured: number | null, atMinutes: number) => {
    const r = room();
    r.admission = { plannedRatePerSec: 155, plannedTurnoverPerSec: curve, message: null, updatedAtMs: 0 };
    const band = (perSec: number) => ({
      meanPerSec: perSec,
      p10PerSec: perSec / 2,
      p90PerSec: perSec * 2,
      samples: 60,
    });
    // the window first filled at minute 2 with 150/s measured
    markSteady(r, 2 * 60_000, band(150), 60);
    return plannedSteadyOf(r, atMinutes * 60_000, measured === null ? null : band(measured), 60);
  };

  it('drops a fall the measured rate has not shown: level and shape stay near the rate measured', () => {
    // minute 8: the plan had 148 → 94 (half a window back), the night held 150/s
    const flat = planned(150, 8);
    assert.equal(flat.isFromCurve, true);
    assert.ok(Math.abs(flat.perSec - curveAt(curve, 2)) < 1e-9, `level ${flat.perSec}`);
    assert.ok(
      flat.shape!.every((f) => f === 1),
      flat.shape!.join(' '),
    );
  });

  it('keeps a fall the measured rate has shown in full', () => {
    // the measured rate fell as the plan did (148 → 94 half a window back): the curve and its shape as planned
    const m = 150 * (curveAt(curve, 7.5) / curveAt(curve, 1.5));
    const fell = planned(m, 8);
    assert.ok(Math.abs(fell.perSec - curveAt(curve, 8)) < 1e-9, `level ${fell.perSec}`);
    assert.deepEqual(fell.shape, turnoverShape(curve, 8));
    // half of it shown: half the fall ahead
    const half = planned(150 - (150 - m) / 2, 8);
    const whole = turnoverShape(curve, 8)!;
    half.shape!.forEach((f, k) => assert.ok(Math.abs(f - (1 + (whole[k]! - 1) / 2)) < 1e-9, `minute ${k}`));
  });

  it('counts on half of the plan’s fall before the measurement can judge it', () => {
    const fresh = room();
    fresh.admission = { plannedRatePerSec: 155, plannedTurnoverPerSec: curve, message: null, updatedAtMs: 0 };
    const early = plannedSteadyOf(fresh, 90_000, null, 60);
    assert.equal(fresh.steadySince, null);
    assert.equal(early.perSec, curveAt(curve, 1.5), 'nothing measured yet: the curve’s level now');
    const whole = turnoverShape(curve, 1.5)!;
    early.shape!.forEach((f, k) => assert.ok(Math.abs(f - (1 + (whole[k]! - 1) * SHAPE_PRIOR_SHARE)) < 1e-9));
    // a window not yet full, or before minute 1, marks nothing
    markSteady(fresh, 30_000, { meanPerSec: 150, p10PerSec: 75, p90PerSec: 300, samples: 60 }, 60);
    markSteady(fresh, 90_000, { meanPerSec: 150, p10PerSec: 75, p90PerSec: 300, samples: 59 }, 60);
    assert.equal(fresh.steadySince, null);
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
