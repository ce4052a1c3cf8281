import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bookingUnit, UNIT_NOW } from '../../test/support/booking-unit.ts';
import { DAY_MS } from '../platform/calendar.ts';
import { StoreBusy } from './booking.store.ts';
import type { BookingFailure } from './booking.service.ts';
import type { Result } from '../platform/result.ts';

const reasonOf = (r: Result<unknown, BookingFailure>) => (r.ok ? 'ok' : r.reason);

describe('placeBooking refuses, each with its reason', () => {
  it('campaign-not-found: no live campaign by that id', async () => {
    const u = bookingUnit();
    const p = u.person();
    assert.equal(
      reasonOf(
        await u.service.placeBooking({
          requesterId: p.id,
          campaignId: 'nope',
          slotId: u.slotPair().dose1.id,
          idempotencyKey: 'k1',
        }),
      ),
      'campaign-not-found',
    );
  });

  it('not-in-cohort: born outside every cohort', async () => {
    const u = bookingUnit();
    const child = u.person('2015-01-01');
    assert.equal(
      reasonOf(
        await u.service.placeBooking({
          requesterId: child.id,
          campaignId: 'demo',
          slotId: u.slotPair().dose1.id,
          idempotencyKey: 'k1',
        }),
      ),
      'not-in-cohort',
    );
  });

  it('not-yet and window-closed: on the server clock, before the window opens and after it closes', async () => {
    const u = bookingUnit();
    const p = u.person();
    const slotId = u.slotPair({ day: 40 }).dose1.id;
    u.clock.set(UNIT_NOW - 2 * 3_600_000);
    assert.equal(
      reasonOf(await u.service.placeBooking({ requesterId: p.id, campaignId: 'demo', slotId, idempotencyKey: 'k1' })),
      'not-yet',
    );
    u.clock.set(UNIT_NOW + 31 * DAY_MS);
    assert.equal(
      reasonOf(await u.service.placeBooking({ requesterId: p.id, campaignId: 'demo', slotId, idempotencyKey: 'k2' })),
      'window-closed',
    );
  });

  it('already-booked: a second booking for the same person with a new key', async () => {
    const u = bookingUnit();
    const p = u.person();
    const { dose1 } = u.slotPair();
    assert.equal(
      reasonOf(
        await u.service.placeBooking({ requesterId: p.id, campaignId: 'demo', slotId: dose1.id, idempotencyKey: 'k1' }),
      ),
      'ok',
    );
    assert.equal(
      reasonOf(
        await u.service.placeBooking({ requesterId: p.id, campaignId: 'demo', slotId: dose1.id, idempotencyKey: 'k2' }),
      ),
      'already-booked',
    );
    assert.equal(u.stores.snapshot().slots.get(dose1.id)!.booked, 1);
  });

  it("slot-not-found: an unknown slot, a dose-2 slot, another campaign's slot and a slot for today in Seoul", async () => {
    const u = bookingUnit({ campaigns: [{ id: 'other' }] });
    const p = u.person();
    const ids = [
      9_999,
      u.slotPair().dose2.id,
      u.slotPair({ campaignId: 'other' }).dose1.id,
      u.slotPair({ day: 0 }).dose1.id,
    ];
    for (const slotId of ids) {
      assert.equal(
        reasonOf(
          await u.service.placeBooking({
            requesterId: p.id,
            campaignId: 'demo',
            slotId,
            idempotencyKey: `k-${slotId}`,
          }),
        ),
        'slot-not-found',
      );
    }
  });

  it('slot-full: the last seat went to someone else, and no row is written', async () => {
    const u = bookingUnit();
    const [a, b] = [u.person(), u.person()];
    const { dose1 } = u.slotPair({ capacity: 1 });
    await u.service.placeBooking({ requesterId: a.id, campaignId: 'demo', slotId: dose1.id, idempotencyKey: 'k1' });
    assert.equal(
      reasonOf(
        await u.service.placeBooking({ requesterId: b.id, campaignId: 'demo', slotId: dose1.id, idempotencyKey: 'k2' }),
      ),
      'slot-full',
    );
    assert.equal(u.stores.snapshot().bookings.size, 1);
  });

  it('dose2-unavailable: no dose-2 seat on the dose-2 date; the dose-1 seat stays free and the date is named', async () => {
    const u = bookingUnit();
    const p = u.person();
    const { dose1, dose2 } = u.slotPair({ dose2Capacity: 0 });
    const r = await u.service.placeBooking({
      requesterId: p.id,
      campaignId: 'demo',
      slotId: dose1.id,
      idempotencyKey: 'k1',
    });
    assert.deepEqual(r, { ok: false, reason: 'dose2-unavailable', detail: { dose2Date: dose2.date } });
    assert.equal(u.stores.snapshot().slots.get(dose1.id)!.booked, 0);
    assert.equal(u.stores.snapshot().outbox.length, 0);
  });

  it('wrong-rotation-group: a slot held for another birth-day digit', async () => {
    const u = bookingUnit();
    const p = u.person('1968-05-05');
    const slotId = u.slotPair({ rotationGroup: 6 }).dose1.id;
    assert.equal(
      reasonOf(await u.service.placeBooking({ requesterId: p.id, campaignId: 'demo', slotId, idempotencyKey: 'k1' })),
      'wrong-rotation-group',
    );
  });

  it('wrong-vaccine: a slot for another vaccine than the cohort takes', async () => {
    const u = bookingUnit();
    const p = u.person();
    const slotId = u.slotPair({ vaccine: 'moderna' }).dose1.id;
    assert.equal(
      reasonOf(await u.service.placeBooking({ requesterId: p.id, campaignId: 'demo', slotId, idempotencyKey: 'k1' })),
      'wrong-vaccine',
    );
  });

  it('proxy-banned: booking for someone else where the campaign does not allow it', async () => {
    const u = bookingUnit({ campaigns: [{ id: 'no-proxy', proxyBooking: 'banned' }] });
    const [child, parent] = [u.person('1990-01-01'), u.person('1950-01-01', '김부모')];
    const slotId = u.slotPair({ campaignId: 'no-proxy' }).dose1.id;
    const r = await u.service.placeBooking({
      requesterId: child.id,
      campaignId: 'no-proxy',
      slotId,
      idempotencyKey: 'k1',
      forPerson: { rrn: parent.rrn, name: '김부모' },
    });
    assert.equal(reasonOf(r), 'proxy-banned');
  });

  it("identity-mismatch, malformed-rrn, invalid-rrn: a proxy's details that name nobody registered", async () => {
    const u = bookingUnit();
    const [child, parent] = [u.person('1990-01-01'), u.person('1950-01-01', '김부모')];
    const slotId = u.slotPair().dose1.id;
    const asProxy = (forPerson: { rrn: string; name: string }, key: string) =>
      u.service.placeBooking({ requesterId: child.id, campaignId: 'demo', slotId, idempotencyKey: key, forPerson });
    assert.equal(reasonOf(await asProxy({ rrn: parent.rrn, name: '김남' }, 'k1')), 'identity-mismatch');
    assert.equal(reasonOf(await asProxy({ rrn: '12345', name: '김부모' }, 'k2')), 'malformed-rrn');
    assert.equal(reasonOf(await asProxy({ rrn: '681345-2000000', name: '김부모' }, 'k3')), 'invalid-rrn');
    assert.equal(
      reasonOf(await asProxy({ rrn: parent.rrn, name: ' 김부모 ' }, 'k4')),
      'ok',
      'the registered name, spaces trimmed',
    );
    assert.equal(
      reasonOf(await u.service.placeBooking({ requesterId: 9_999, campaignId: 'demo', slotId, idempotencyKey: 'k5' })),
      'identity-mismatch',
      'a requester not in the register',
    );
  });

  it('idempotency-conflict: a key already used for a booking in another campaign', async () => {
    const u = bookingUnit({ campaigns: [{ id: 'second' }] });
    const p = u.person();
    assert.equal(
      reasonOf(
        await u.service.placeBooking({
          requesterId: p.id,
          campaignId: 'demo',
          slotId: u.slotPair().dose1.id,
          idempotencyKey: 'same-key',
        }),
      ),
      'ok',
    );
    const r = await u.service.placeBooking({
      requesterId: p.id,
      campaignId: 'second',
      slotId: u.slotPair({ campaignId: 'second' }).dose1.id,
      idempotencyKey: 'same-key',
    });
    assert.equal(reasonOf(r), 'idempotency-conflict');
    assert.equal(u.stores.snapshot().bookings.size, 1);
  });

  it('admission-used: a second booking under one admission', async () => {
    const u = bookingUnit();
    const [a, b] = [u.person(), u.person()];
    const slotId = u.slotPair().dose1.id;
    assert.equal(
      reasonOf(
        await u.service.placeBooking({
          requesterId: a.id,
          campaignId: 'demo',
          slotId,
          idempotencyKey: 'k1',
          admissionId: 'adm-1',
        }),
      ),
      'ok',
    );
    assert.equal(
      reasonOf(
        await u.service.placeBooking({
          requesterId: b.id,
          campaignId: 'demo',
          slotId,
          idempotencyKey: 'k2',
          admissionId: 'adm-1',
        }),
      ),
      'admission-used',
    );
  });

  it('busy: the store stayed busy (deadlocks) through its retries; nothing was booked', async () => {
    const u = bookingUnit({
      store: (s) => ({
        ...s,
        writeBookingTakingSeats: async () => {
          throw new StoreBusy();
        },
      }),
    });
    const p = u.person();
    assert.equal(
      reasonOf(
        await u.service.placeBooking({
          requesterId: p.id,
          campaignId: 'demo',
          slotId: u.slotPair().dose1.id,
          idempotencyKey: 'k1',
        }),
      ),
      'busy',
    );
  });
});

describe('placeBooking reads', () => {
  it("asks for the chosen slot before the person's row has come back, so a store can read both at once", async () => {
    let slotAskedBeforePerson: boolean | undefined;
    let isSlotAsked = false;
    const u = bookingUnit({
      store: (s) => ({
        ...s,
        findSlot: (id) => {
          isSlotAsked = true;
          return s.findSlot(id);
        },
        findPerson: (id) =>
          new Promise((resolve) =>
            setImmediate(() => {
              slotAskedBeforePerson ??= isSlotAsked;
              resolve(s.findPerson(id));
            }),
          ),
      }),
    });
    const p = u.person();
    const r = await u.service.placeBooking({
      requesterId: p.id,
      campaignId: 'demo',
      slotId: u.slotPair().dose1.id,
      idempotencyKey: 'k1',
    });
    assert.equal(reasonOf(r), 'ok');
    assert.equal(slotAskedBeforePerson, true);
  });
});

describe('placeBooking answers a retry', () => {
  it('with the booking its key made, as it is now, taking no second seat', async () => {
    const u = bookingUnit();
    const p = u.person();
    const { dose1 } = u.slotPair();
    const first = await u.service.placeBooking({
      requesterId: p.id,
      campaignId: 'demo',
      slotId: dose1.id,
      idempotencyKey: 'k1',
      admissionId: 'adm-1',
    });
    const again = await u.service.placeBooking({
      requesterId: p.id,
      campaignId: 'demo',
      slotId: dose1.id,
      idempotencyKey: 'k1',
      admissionId: 'adm-1',
    });
    assert.ok(first.ok && again.ok);
    assert.equal(again.value.bookingNumber, first.value.bookingNumber);
    assert.equal(u.stores.snapshot().slots.get(dose1.id)!.booked, 1);
    assert.equal(
      (await u.service.retriedBooking({ requesterId: p.id, campaignId: 'demo', idempotencyKey: 'k1' }))?.bookingNumber,
      first.value.bookingNumber,
    );
    assert.equal(
      await u.service.retriedBooking({ requesterId: p.id, campaignId: 'other', idempotencyKey: 'k1' }),
      undefined,
    );
    assert.equal(
      await u.service.retriedBooking({ requesterId: p.id, campaignId: 'demo', idempotencyKey: 'k2' }),
      undefined,
    );
  });
});

describe('changeBooking and cancelBooking', () => {
  it('move the seats and write one message per committed change', async () => {
    const u = bookingUnit();
    const p = u.person();
    const [from, to] = [u.slotPair(), u.slotPair({ day: 6 })];
    const placed = await u.service.placeBooking({
      requesterId: p.id,
      campaignId: 'demo',
      slotId: from.dose1.id,
      idempotencyKey: 'k1',
    });
    assert.ok(placed.ok);
    const changed = await u.service.changeBooking({
      requesterId: p.id,
      bookingNumber: placed.value.bookingNumber,
      slotId: to.dose1.id,
    });
    assert.ok(changed.ok);
    assert.deepEqual([changed.value.dose1.slotId, changed.value.dose2.slotId], [to.dose1.id, to.dose2.id]);
    const seats = u.stores.snapshot().slots;
    assert.deepEqual(
      [from.dose1, from.dose2, to.dose1, to.dose2].map((s) => seats.get(s.id)!.booked),
      [0, 0, 1, 1],
    );
    const cancelled = await u.service.cancelBooking({ requesterId: p.id, bookingNumber: placed.value.bookingNumber });
    assert.ok(cancelled.ok && cancelled.value.status === 'cancelled');
    assert.deepEqual(
      u.stores.snapshot().outbox.map((o) => o.kind),
      ['booking-confirmed', 'booking-changed', 'booking-cancelled'],
    );
  });

  it("refuse booking-not-found (unknown, or someone else's) and booking-cancelled", async () => {
    const u = bookingUnit();
    const [p, stranger] = [u.person(), u.person()];
    const { dose1 } = u.slotPair();
    const placed = await u.service.placeBooking({
      requesterId: p.id,
      campaignId: 'demo',
      slotId: dose1.id,
      idempotencyKey: 'k1',
    });
    assert.ok(placed.ok);
    assert.equal(
      reasonOf(await u.service.changeBooking({ requesterId: p.id, bookingNumber: 'AAAA-BBBB-CCCC', slotId: dose1.id })),
      'booking-not-found',
    );
    assert.equal(
      reasonOf(await u.service.cancelBooking({ requesterId: stranger.id, bookingNumber: placed.value.bookingNumber })),
      'booking-not-found',
    );
    await u.service.cancelBooking({ requesterId: p.id, bookingNumber: placed.value.bookingNumber });
    assert.equal(
      reasonOf(await u.service.cancelBooking({ requesterId: p.id, bookingNumber: placed.value.bookingNumber })),
      'booking-cancelled',
    );
    assert.equal(
      reasonOf(
        await u.service.changeBooking({
          requesterId: p.id,
          bookingNumber: placed.value.bookingNumber,
          slotId: dose1.id,
        }),
      ),
      'booking-cancelled',
    );
  });

  it('refuse a change to a full or unsuitable slot, leaving the booking and every seat as they were', async () => {
    const u = bookingUnit();
    const [p, q] = [u.person('1968-05-05'), u.person()];
    const from = u.slotPair();
    const full = u.slotPair({ day: 6, capacity: 1 });
    const noDose2 = u.slotPair({ day: 7, dose2Capacity: 0 });
    const otherGroup = u.slotPair({ day: 8, rotationGroup: 6 });
    const otherVaccine = u.slotPair({ day: 9, vaccine: 'moderna' });
    await u.service.placeBooking({
      requesterId: q.id,
      campaignId: 'demo',
      slotId: full.dose1.id,
      idempotencyKey: 'q1',
    });
    const placed = await u.service.placeBooking({
      requesterId: p.id,
      campaignId: 'demo',
      slotId: from.dose1.id,
      idempotencyKey: 'k1',
    });
    assert.ok(placed.ok);
    const before = u.stores.snapshot();
    const change = (slotId: number) =>
      u.service.changeBooking({ requesterId: p.id, bookingNumber: placed.value.bookingNumber, slotId });
    assert.deepEqual(
      [
        await change(full.dose1.id),
        await change(noDose2.dose1.id),
        await change(otherGroup.dose1.id),
        await change(otherVaccine.dose1.id),
        await change(9_999),
      ].map(reasonOf),
      ['slot-full', 'dose2-unavailable', 'wrong-rotation-group', 'wrong-vaccine', 'slot-not-found'],
    );
    assert.deepEqual(u.stores.snapshot(), before);
  });

  it('busy: a transaction the store could not complete', async () => {
    const u = bookingUnit({
      store: (s) => ({
        ...s,
        transact: async () => {
          throw new StoreBusy();
        },
      }),
    });
    const p = u.person();
    const placed = await u.service.placeBooking({
      requesterId: p.id,
      campaignId: 'demo',
      slotId: u.slotPair().dose1.id,
      idempotencyKey: 'k1',
    });
    assert.ok(placed.ok);
    assert.equal(
      reasonOf(await u.service.cancelBooking({ requesterId: p.id, bookingNumber: placed.value.bookingNumber })),
      'busy',
    );
  });
});

describe('no booking lost to a stale list', () => {
  it("a slot-full refusal carries the same facility's other dates, nearest first, and one of them books", async () => {
    const u = bookingUnit();
    const [a, b] = [u.person(), u.person()];
    const full = u.slotPair({ day: 5, capacity: 1 });
    const next = u.slotPair({ day: 7, capacity: 2 });
    assert.equal(
      reasonOf(
        await u.service.placeBooking({
          requesterId: a.id,
          campaignId: 'demo',
          slotId: full.dose1.id,
          idempotencyKey: 'k1',
        }),
      ),
      'ok',
    );
    const refused = await u.service.placeBooking({
      requesterId: b.id,
      campaignId: 'demo',
      slotId: full.dose1.id,
      idempotencyKey: 'k2',
    });
    assert.ok(!refused.ok && refused.reason === 'slot-full');
    const alternatives = refused.detail?.alternatives as {
      slotId: number;
      date: string;
      facilityId: number;
      free: number;
    }[];
    assert.deepEqual(
      alternatives.map((s) => [s.slotId, s.date, s.free]),
      [[next.dose1.id, next.dose1.date, 2]],
    );
    const taken = await u.service.placeBooking({
      requesterId: b.id,
      campaignId: 'demo',
      earliestAt: { facilityId: alternatives[0]!.facilityId, fromDate: alternatives[0]!.date },
      idempotencyKey: 'k3',
    });
    assert.ok(taken.ok);
    assert.equal(taken.value.dose1.slotId, next.dose1.id);
  });

  it('earliestAt: books the earliest free seat at the facility from the date on (never today or before), its message naming the dates taken', async () => {
    const u = bookingUnit();
    const p = u.person();
    u.slotPair({ day: 0, capacity: 5 });
    const first = u.slotPair({ day: 3, capacity: 1 });
    const r = await u.service.placeBooking({
      requesterId: p.id,
      campaignId: 'demo',
      earliestAt: { facilityId: u.facility.id, fromDate: '2020-01-01' },
      idempotencyKey: 'k1',
    });
    assert.ok(r.ok);
    assert.deepEqual(
      [r.value.dose1.slotId, r.value.dose1.date, r.value.dose2.slotId],
      [first.dose1.id, first.dose1.date, first.dose2.id],
    );
    const [message] = u.stores.snapshot().outbox;
    assert.equal(
      message!.payload.text.en,
      `[Booked] Booking ${r.value.bookingNumber}: Test Clinic, dose 1 on ${first.dose1.date}, dose 2 on ${first.dose2.date}.`,
    );
  });

  it('earliestAt: slot-full when the facility has no free seat from the date on, with what is free nearby', async () => {
    const u = bookingUnit();
    const [a, b] = [u.person(), u.person()];
    const only = u.slotPair({ day: 4, capacity: 1 });
    const nearby = u.stores.addFacility({
      code: 'F-NEAR',
      name_ko: '근처의원',
      name_en: 'Near Clinic',
      region_code: '11',
      district_code: '11010',
      address: '서울',
      kind: 'clinic',
    });
    const [nearDose1] = u.stores.addSlots([
      {
        campaign_id: 'demo',
        facility_id: nearby.id,
        date: only.dose1.date,
        vaccine_code: 'pfizer',
        dose: 1,
        rotation_group: null,
        capacity: 3,
      },
    ]);
    const at = { facilityId: u.facility.id, fromDate: only.dose1.date };
    assert.ok(
      (await u.service.placeBooking({ requesterId: a.id, campaignId: 'demo', earliestAt: at, idempotencyKey: 'k1' }))
        .ok,
    );
    const refused = await u.service.placeBooking({
      requesterId: b.id,
      campaignId: 'demo',
      earliestAt: at,
      idempotencyKey: 'k2',
    });
    assert.ok(!refused.ok && refused.reason === 'slot-full');
    assert.deepEqual(
      (refused.detail?.alternatives as { slotId: number }[]).map((s) => s.slotId),
      [nearDose1!.id],
    );
    assert.equal(u.stores.snapshot().bookings.size, 1);
  });

  it('slot-not-found: a request that names neither a slot nor a facility', async () => {
    const u = bookingUnit();
    const p = u.person();
    assert.equal(
      reasonOf(await u.service.placeBooking({ requesterId: p.id, campaignId: 'demo', idempotencyKey: 'k1' })),
      'slot-not-found',
    );
  });
});
