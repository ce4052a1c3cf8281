/**
 * What the booking store must do on every engine — memory, embedded PGlite and real Postgres —
 * through its port (src/booking/booking.store.ts): the same answers, the same refusals, the same
 * atomicity. The SQL-only repositories (slot search, the outbox sender's claims) have their own
 * suite below, on the two SQL engines.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { TestDatabase } from '../support/databases.ts';
import type { BookingStoreHarness } from '../support/booking-stores.ts';
import {
  newBookingRow,
  newFacility,
  newLiveCampaign,
  newPeople,
  newSlotPair,
  dateAfter,
} from '../support/factories.ts';
import {
  DOSE1_DATE_MARK,
  DOSE2_DATE_MARK,
  type NewBooking,
  type NewEarliestBooking,
  type SeatedWrite,
} from '../../src/booking/booking.store.ts';
import { kyselyBookingStores } from '../../src/booking/kysely-booking-store.ts';
import * as slots from '../../src/booking/slot.repository.ts';
import * as outbox from '../../src/booking/outbox.repository.ts';
import { countPeopleByBirthDate } from '../../src/people/people.repository.ts';
import { findPersonById } from '../../src/people/people.repository.ts';
import { findFacilityById } from '../../src/facilities/facilities.repository.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');

const message = (bookingNumber: string, kind: SeatedWrite['message']['kind'] = 'booking-confirmed') => ({
  kind,
  nowMs: NOW,
  payload: { to: '010', bookingNumber, text: { ko: '가', en: 'a' } },
});

function newBooking(
  f: Parameters<typeof newBookingRow>[0],
  personId: number,
  key: string,
  o: Partial<NewBooking> = {},
): NewBooking {
  return newBookingRow(f, personId, key, NOW, o);
}

export function bookingStoreContract(engine: string, open: () => Promise<BookingStoreHarness>) {
  describe(`booking store (${engine})`, () => {
    let h: BookingStoreHarness;
    before(async () => {
      h = await open();
    });
    after(async () => {
      await h.close();
    });

    async function fixture(campaignId: string, capacity: number, o: { dose2Capacity?: number; day?: number } = {}) {
      const pair = await h.newSlotPair({
        campaignId,
        date: dateAfter(NOW, o.day ?? 5),
        capacity,
        ...(o.dose2Capacity === undefined ? {} : { dose2Capacity: o.dose2Capacity }),
      });
      return { campaignId, ...pair };
    }
    const place = (
      f: Awaited<ReturnType<typeof fixture>>,
      personId: number,
      key: string,
      o: Partial<NewBooking> = {},
    ) =>
      h.stores.writeBookingTakingSeats({
        kind: 'place',
        booking: newBooking(f, personId, key, o),
        message: message(`BN-${key}`),
      });
    const booked = async (...ids: number[]) =>
      Promise.all(ids.map(async (id) => (await h.stores.findSlot(id))!.booked));

    it('takes seats up to capacity and not one more, and gives them back', async () => {
      const f = await fixture('seats', 2);
      const people = await h.newPeople(3);
      const results = [];
      for (const [i, p] of people.entries()) results.push(await place(f, p.id, `seats-${i}`));
      assert.deepEqual(
        results.map((r) => (r.ok ? 'ok' : r.reason)),
        ['ok', 'ok', 'slot-full'],
      );
      assert.deepEqual(await booked(f.dose1.id, f.dose2.id), [2, 2]);
      await h.stores.releaseSeat(f.dose1.id);
      assert.deepEqual(await booked(f.dose1.id), [1]);
      await h.stores.releaseSeat(f.dose1.id);
      await h.stores.releaseSeat(f.dose1.id);
      assert.deepEqual(await booked(f.dose1.id), [0], 'never below zero');
    });

    it('writes a booking with both seats and its outbox row at once, or nothing at all', async () => {
      const f = await fixture('one-step', 1);
      const [a, b] = await h.newPeople(2);
      const placed = await place(f, a!.id, 'os-1');
      assert.ok(placed.ok);
      assert.equal(placed.booking.dose2_slot_id, f.dose2.id);
      assert.equal(placed.booking.dose1_date, f.dose1.date);
      assert.deepEqual(await h.outboxOf(placed.booking.id), [{ kind: 'booking-confirmed', bookingNumber: 'BN-os-1' }]);
      assert.deepEqual(await place(f, b!.id, 'os-2'), { ok: false, reason: 'slot-full' });
      assert.deepEqual(await booked(f.dose1.id, f.dose2.id), [1, 1]);

      const g = await fixture('one-step-no-dose2', 1, { dose2Capacity: 0 });
      assert.deepEqual(await place(g, b!.id, 'os-3'), { ok: false, reason: 'dose2-unavailable' });
      assert.deepEqual(await booked(g.dose1.id), [0], 'the dose-1 seat went back with the failed write');
      assert.equal(await h.stores.findBookingByIdempotencyKey(b!.id, 'os-3'), undefined);

      const second = await h.newSlotPair({
        campaignId: 'one-step',
        date: dateAfter(NOW, 6),
        capacity: 1,
        facilityId: f.facilityId,
      });
      const again = await h.stores.writeBookingTakingSeats({
        kind: 'place',
        booking: newBooking({ ...f, ...second }, a!.id, 'os-4'),
        message: message('BN-os-4'),
      });
      assert.deepEqual(again, { ok: false, reason: 'already-booked' });
      assert.deepEqual(
        await booked(second.dose1.id, second.dose2.id),
        [0, 0],
        'a uniqueness refusal gives the seats back too',
      );
    });

    it('refuses a second active booking, a reused idempotency key and a reused admission, each by name', async () => {
      const f = await fixture('unique', 10);
      const [a, b, c] = await h.newPeople(3);
      assert.ok((await place(f, a!.id, 'k-1', { admission_id: 'adm-1' })).ok);
      const refusals = [
        await place(f, a!.id, 'k-2'),
        await place(f, b!.id, 'k-1', { requested_by_id: a!.id, booking_number: 'BN-k-3' }),
        await place(f, c!.id, 'k-4', { admission_id: 'adm-1' }),
      ];
      assert.deepEqual(
        refusals.map((r) => (r.ok ? 'ok' : r.reason)),
        ['already-booked', 'idempotency-key-used', 'admission-used'],
      );
      assert.deepEqual(await booked(f.dose1.id, f.dose2.id), [1, 1]);
    });

    it('bookings sent at once each keep their own outcome: one refusal never fails another booking', async () => {
      // A seat for every write in flight (a refused write holds its seat until its statement fails):
      // with fewer, which refusal a write meets first depends on the order they run in.
      const f = await fixture('together', 6);
      const noDose2 = await fixture('together', 5, { dose2Capacity: 0, day: 6 });
      const full = await fixture('together', 0, { day: 7 });
      const [a, b, c, d, e, g, k] = await h.newPeople(7);
      assert.ok((await place(f, a!.id, 'tg-pre', { admission_id: 'adm-tg' })).ok);
      const outcomes = await Promise.all([
        place(f, a!.id, 'tg-1'),
        place(f, b!.id, 'tg-pre', { requested_by_id: a!.id, booking_number: 'BN-tg-2' }),
        place(f, c!.id, 'tg-3', { admission_id: 'adm-tg' }),
        place(noDose2, d!.id, 'tg-4'),
        place(f, e!.id, 'tg-5'),
        place(full, g!.id, 'tg-6'),
        place(f, k!.id, 'tg-7'),
      ]);
      assert.deepEqual(
        outcomes.map((r) => (r.ok ? 'ok' : r.reason)),
        ['already-booked', 'idempotency-key-used', 'admission-used', 'dose2-unavailable', 'ok', 'slot-full', 'ok'],
      );
      assert.deepEqual(await booked(f.dose1.id, f.dose2.id), [3, 3]);
      assert.deepEqual(await booked(noDose2.dose1.id, full.dose1.id), [0, 0], 'refused writes took no seat');
      for (const r of outcomes)
        if (r.ok)
          assert.deepEqual(await h.outboxOf(r.booking.id), [
            { kind: 'booking-confirmed', bookingNumber: r.booking.booking_number },
          ]);
      assert.equal(await h.stores.findBookingByIdempotencyKey(d!.id, 'tg-4'), undefined);
    });

    it('moves a booking to new seats with its message in the same step, and refuses a full slot the same way', async () => {
      const f = await fixture('move', 5);
      const to = await h.newSlotPair({
        campaignId: 'move',
        date: dateAfter(NOW, 6),
        capacity: 1,
        facilityId: f.facilityId,
      });
      const [a, b] = await h.newPeople(2);
      const placed = await place(f, a!.id, 'mv-1');
      assert.ok(placed.ok);
      const seats = {
        dose1SlotId: to.dose1.id,
        campaignId: 'move',
        facilityId: f.facilityId,
        vaccineCode: 'pfizer',
        dose2Date: to.dose2Date,
      };
      const moved = await h.stores.writeBookingTakingSeats({
        kind: 'move',
        bookingId: placed.booking.id,
        seats,
        dose1Date: to.dose1.date,
        message: message('BN-mv-1', 'booking-changed'),
      });
      assert.ok(moved.ok);
      assert.deepEqual(
        [
          moved.booking.id,
          moved.booking.dose1_slot_id,
          moved.booking.dose2_slot_id,
          moved.booking.dose1_date,
          moved.booking.dose2_date,
        ],
        [placed.booking.id, to.dose1.id, to.dose2.id, to.dose1.date, to.dose2Date],
      );
      assert.deepEqual(
        (await h.outboxOf(placed.booking.id)).map((o) => o.kind),
        ['booking-confirmed', 'booking-changed'],
      );
      assert.deepEqual(
        await booked(to.dose1.id, to.dose2.id, f.dose1.id),
        [1, 1, 1],
        "the old seats are the caller's to give back",
      );

      const other = await place(f, b!.id, 'mv-2');
      assert.ok(other.ok);
      const full = await h.stores.writeBookingTakingSeats({
        kind: 'move',
        bookingId: other.booking.id,
        seats,
        dose1Date: to.dose1.date,
        message: message('BN-mv-2', 'booking-changed'),
      });
      assert.deepEqual(full, { ok: false, reason: 'slot-full' });
      assert.deepEqual(
        (await h.outboxOf(other.booking.id)).map((o) => o.kind),
        ['booking-confirmed'],
      );
    });

    it('commits a transaction when its function returns and undoes all of it when the function throws', async () => {
      const f = await fixture('transact', 5);
      const [a] = await h.newPeople(1);
      const placed = await place(f, a!.id, 'tx-1');
      assert.ok(placed.ok);
      await assert.rejects(
        h.stores.transact(async (tx) => {
          const locked = await tx.lockBookingForOwner('BN-tx-1', a!.id);
          await tx.releaseSeat(locked!.dose1_slot_id);
          await tx.markBookingCancelled(locked!.id, NOW);
          await tx.insertOutboxMessage(locked!.id, message('BN-tx-1', 'booking-cancelled'));
          throw new Error('changed my mind');
        }),
        /changed my mind/,
      );
      assert.equal((await h.stores.findBookingByIdempotencyKey(a!.id, 'tx-1'))!.status, 'active');
      assert.deepEqual(await booked(f.dose1.id), [1]);
      assert.deepEqual(
        (await h.outboxOf(placed.booking.id)).map((o) => o.kind),
        ['booking-confirmed'],
      );

      const cancelled = await h.stores.transact(async (tx) => {
        const locked = await tx.lockBookingForOwner('BN-tx-1', a!.id);
        await tx.releaseSeat(locked!.dose1_slot_id);
        return tx.markBookingCancelled(locked!.id, NOW + 1_000);
      });
      assert.equal(cancelled.status, 'cancelled');
      assert.equal(new Date(cancelled.cancelled_at!).getTime(), NOW + 1_000);
      assert.deepEqual(await booked(f.dose1.id), [0]);
      assert.ok((await place(f, a!.id, 'tx-2')).ok, 'a cancelled booking does not count as the active one');
    });

    /** A new booking on the earliest free seat at `facilityId` from `fromDate`, its message naming both dates. */
    const placeEarliest = (campaignId: string, facilityId: number, fromDate: string, personId: number, key: string) => {
      const {
        facility_id: _f,
        vaccine_code: _v,
        dose1_slot_id: _s,
        dose1_date: _d1,
        dose2_date: _d2,
        ...booking
      }: NewBooking = newBooking(
        { campaignId, facilityId, dose1: { id: 0, date: fromDate }, dose2Date: fromDate },
        personId,
        key,
      );
      const text = {
        ko: `1차 ${DOSE1_DATE_MARK}, 2차 ${DOSE2_DATE_MARK}`,
        en: `dose 1 on ${DOSE1_DATE_MARK}, dose 2 on ${DOSE2_DATE_MARK}`,
      };
      const at = {
        campaignId,
        facilityId,
        fromDate,
        vaccineCodes: ['moderna', 'pfizer'],
        rotationGroup: 5,
        dose2IntervalDays: 21,
      };
      return h.stores.writeBookingTakingSeats({
        kind: 'place-earliest',
        booking: booking satisfies NewEarliestBooking,
        at,
        message: { kind: 'booking-confirmed', nowMs: NOW, payload: { to: '010', bookingNumber: `BN-${key}`, text } },
      });
    };

    it('takes the earliest free seat at a facility from a date on in one step, skipping a date without a dose-2 seat, with the dates in its message', async () => {
      const day = (n: number) => dateAfter(NOW, n);
      const early = await h.newSlotPair({ campaignId: 'earliest', date: day(4), capacity: 5 });
      const facilityId = early.facilityId;
      const noDose2 = await h.newSlotPair({
        campaignId: 'earliest',
        date: day(5),
        capacity: 1,
        dose2Capacity: 0,
        facilityId,
      });
      const first = await h.newSlotPair({ campaignId: 'earliest', date: day(6), capacity: 1, facilityId });
      const then = await h.newSlotPair({ campaignId: 'earliest', date: day(7), capacity: 2, facilityId });
      const people = await h.newPeople(4);
      const results = [];
      for (const [i, p] of people.entries())
        results.push(await placeEarliest('earliest', facilityId, day(5), p.id, `ea-${i}`));
      assert.deepEqual(
        results.map((r) => (r.ok ? r.booking.dose1_date : r.reason)),
        [day(6), day(7), day(7), 'slot-full'],
      );
      const placed = results[0]!;
      assert.ok(placed.ok);
      assert.deepEqual(
        [
          placed.booking.dose1_slot_id,
          placed.booking.dose2_slot_id,
          placed.booking.dose2_date,
          placed.booking.facility_id,
          placed.booking.vaccine_code,
        ],
        [first.dose1.id, first.dose2.id, first.dose2Date, facilityId, 'pfizer'],
      );
      assert.deepEqual(await h.outboxTextsOf(placed.booking.id), [`dose 1 on ${day(6)}, dose 2 on ${first.dose2Date}`]);
      assert.deepEqual(
        await booked(early.dose1.id, noDose2.dose1.id, first.dose1.id, first.dose2.id, then.dose1.id, then.dose2.id),
        [0, 0, 1, 1, 2, 2],
      );
    });

    it('never oversells when many take the earliest seat at one facility at once, and refuses only when none is left', async () => {
      const day = (n: number) => dateAfter(NOW, n);
      const pairs = [await h.newSlotPair({ campaignId: 'earliest-race', date: day(5), capacity: 3 })];
      const facilityId = pairs[0]!.facilityId;
      for (const n of [6, 7])
        pairs.push(await h.newSlotPair({ campaignId: 'earliest-race', date: day(n), capacity: 3, facilityId }));
      const people = await h.newPeople(20);
      const results = await Promise.all(
        people.map((p, i) => placeEarliest('earliest-race', facilityId, day(5), p.id, `race-${i}`)),
      );
      const placed = results.flatMap((r) => (r.ok ? [r.booking] : []));
      assert.equal(placed.length, 9, 'every free seat was taken');
      assert.deepEqual(
        results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.reason)),
        Array(11).fill('slot-full'),
      );
      assert.deepEqual(await booked(...pairs.flatMap((p) => [p.dose1.id, p.dose2.id])), [3, 3, 3, 3, 3, 3]);
      for (const p of pairs)
        assert.equal(placed.filter((b) => b.dose1_slot_id === p.dose1.id && b.dose2_slot_id === p.dose2.id).length, 3);
    });

    it('offers the same facility on other dates, nearest first, then facilities of the same region on the same date, same district first', async () => {
      const day = (n: number) => dateAfter(NOW, n);
      const facilityId = await h.newFacility({ regionCode: '26', districtCode: '26110' });
      const full = await h.newSlotPair({ campaignId: 'alternatives', date: day(6), capacity: 0, facilityId });
      const later = await h.newSlotPair({ campaignId: 'alternatives', date: day(7), capacity: 2, facilityId });
      const farLater = await h.newSlotPair({ campaignId: 'alternatives', date: day(10), capacity: 2, facilityId });
      const earlier = await h.newSlotPair({ campaignId: 'alternatives', date: day(4), capacity: 1, facilityId });
      const otherDistrict = await h.newSlotPair({
        campaignId: 'alternatives',
        date: day(6),
        capacity: 4,
        facilityId: await h.newFacility({ regionCode: '26', districtCode: '26140' }),
      });
      const sameDistrict = await h.newSlotPair({
        campaignId: 'alternatives',
        date: day(6),
        capacity: 4,
        facilityId: await h.newFacility({ regionCode: '26', districtCode: '26110' }),
      });
      await h.newSlotPair({
        campaignId: 'alternatives',
        date: day(6),
        capacity: 4,
        facilityId: await h.newFacility({ regionCode: '27', districtCode: '27110' }),
      });
      await h.newSlotPair({
        campaignId: 'alternatives',
        date: day(8),
        capacity: 4,
        facilityId: sameDistrict.facilityId,
      });
      const q = {
        campaignId: 'alternatives',
        facilityId,
        date: day(6),
        regionCode: '26',
        districtCode: '26110',
        vaccineCodes: ['pfizer'],
        rotationGroup: 5,
        fromDate: day(1),
      };
      const found = await h.stores.findAlternativeSlots({ ...q, perKind: 3 });
      assert.deepEqual(
        found.map((s) => [s.slotId, s.date, s.free]),
        [
          [later.dose1.id, day(7), 2],
          [earlier.dose1.id, day(4), 1],
          [farLater.dose1.id, day(10), 2],
          [sameDistrict.dose1.id, day(6), 4],
          [otherDistrict.dose1.id, day(6), 4],
        ],
      );
      assert.equal(found[3]!.districtCode, '26110');
      assert.ok(!found.some((s) => s.slotId === full.dose1.id), 'never the full slot itself');
      assert.deepEqual(
        (await h.stores.findAlternativeSlots({ ...q, fromDate: day(5), perKind: 1 })).map((s) => s.slotId),
        [later.dose1.id, sameDistrict.dose1.id],
      );
    });

    it("shows a booking to its person and its proxy only, and finds it by the requester's key", async () => {
      const f = await fixture('visible', 5);
      const [proxy, parent, stranger] = await h.newPeople(3);
      const placed = await place(f, parent!.id, 'vis-1', { requested_by_id: proxy!.id });
      assert.ok(placed.ok);
      for (const who of [proxy!, parent!]) {
        assert.deepEqual(
          (await h.stores.findBookingsVisibleTo(who.id)).map((b) => b.booking_number),
          ['BN-vis-1'],
        );
        assert.equal((await h.stores.lockBookingForOwner('BN-vis-1', who.id))?.id, placed.booking.id);
        assert.equal((await h.stores.findBookingForOwner('BN-vis-1', who.id))?.id, placed.booking.id);
      }
      assert.deepEqual(await h.stores.findBookingsVisibleTo(stranger!.id), []);
      assert.equal(await h.stores.lockBookingForOwner('BN-vis-1', stranger!.id), undefined);
      assert.equal(await h.stores.findBookingForOwner('BN-vis-1', stranger!.id), undefined);
      assert.equal((await h.stores.findBookingByIdempotencyKey(proxy!.id, 'vis-1'))?.id, placed.booking.id);
      assert.equal(
        await h.stores.findBookingByIdempotencyKey(parent!.id, 'vis-1'),
        undefined,
        "the key is the requester's",
      );
      assert.equal((await h.stores.findPerson(parent!.id))?.name, parent!.name);
      assert.equal((await h.stores.findFacility(f.facilityId))?.id, f.facilityId);
    });
  });
}

/** The SQL-only repositories (slot search, the outbox sender's claims, people counts), on Postgres and PGlite. */
export function bookingRepositoryContract(engine: string, open: () => Promise<TestDatabase>) {
  describe(`booking repositories (${engine})`, () => {
    let tdb: TestDatabase;
    before(async () => {
      tdb = await open();
    });
    after(async () => {
      await tdb.close();
    });
    const stores = (t: TestDatabase) =>
      kyselyBookingStores({ db: t.db, findPerson: findPersonById, findFacility: findFacilityById });

    async function fixture(id: string, capacity: number) {
      const campaign = await newLiveCampaign(tdb.db, NOW, { id });
      const facility = await newFacility(tdb.db);
      const pair = await newSlotPair(tdb.db, {
        campaignId: campaign.id,
        facilityId: facility.id,
        date: dateAfter(NOW, 5),
        capacity,
      });
      return { campaignId: campaign.id, facilityId: facility.id, ...pair };
    }

    it("refuses a booking whose facility is not its dose-1 slot's, and takes no seat", async () => {
      const f = await fixture('slot-key', 3);
      // Another facility with a dose-2 seat on the same dose-2 date: only the slot's key can refuse this.
      const other = await newFacility(tdb.db);
      await newSlotPair(tdb.db, { campaignId: f.campaignId, facilityId: other.id, date: f.dose1.date, capacity: 3 });
      const [p] = await newPeople(tdb.db, 1);
      await assert.rejects(
        stores(tdb).writeBookingTakingSeats({
          kind: 'place',
          booking: newBooking(f, p!.id, 'sk-1', { facility_id: other.id }),
          message: message('BN-sk-1'),
        }),
      );
      const seats = await tdb.db
        .selectFrom('slots')
        .select(['id', 'booked'])
        .where('campaign_id', '=', f.campaignId)
        .where('booked', '>', 0)
        .execute();
      assert.deepEqual(seats, []);
      const written = await tdb.db
        .selectFrom('bookings')
        .select('id')
        .where('booking_number', '=', 'BN-sk-1')
        .execute();
      assert.deepEqual(written, []);
    });

    it('reads slots by id with their facilities in one statement, the same rows as the separate reads', async () => {
      const f = await fixture('slot-facility', 3);
      const read = await slots.findSlotsWithFacilitiesByIds(tdb.db, [f.dose1.id, f.dose2.id, -1]);
      assert.deepEqual(
        [...read.slots.keys()].sort((a, b) => a - b),
        [f.dose1.id, f.dose2.id],
      );
      assert.deepEqual(read.slots.get(f.dose1.id), await slots.findSlot(tdb.db, f.dose1.id));
      assert.deepEqual(read.slots.get(f.dose2.id), await slots.findSlot(tdb.db, f.dose2.id));
      assert.deepEqual(read.facilities, [await findFacilityById(tdb.db, f.facilityId)]);
    });

    it('reads people and slots by id in one statement, the same rows as the separate reads', async () => {
      const f = await fixture('people-slots', 3);
      const [p] = await newPeople(tdb.db, 1);
      const read = await slots.findPeopleAndSlotsByIds(tdb.db, [p!.id, -1], [f.dose1.id, -1]);
      assert.deepEqual([...read.people.entries()], [[p!.id, await findPersonById(tdb.db, p!.id)]]);
      assert.deepEqual([...read.slots.entries()], [[f.dose1.id, await slots.findSlot(tdb.db, f.dose1.id)]]);
      assert.deepEqual(read.facilities, [await findFacilityById(tdb.db, f.facilityId)]);
      const none = await slots.findPeopleAndSlotsByIds(tdb.db, [], [-1]);
      assert.deepEqual([none.people.size, none.slots.size, none.facilities], [0, 0, []]);
    });

    it('finds open slots for a rotation group and sums free seats by region', async () => {
      const f = await fixture('search', 3);
      await slots.insertSlots(tdb.db, [
        {
          campaign_id: f.campaignId,
          facility_id: f.facilityId,
          date: dateAfter(NOW, 6),
          vaccine_code: 'pfizer',
          dose: 1,
          rotation_group: 7,
          capacity: 4,
        },
      ]);
      const found = await slots.searchOpenSlots(tdb.db, {
        campaignId: f.campaignId,
        vaccineCodes: ['pfizer'],
        fromDate: dateAfter(NOW, 1),
        rotationGroup: 3,
        limit: 10,
      });
      assert.deepEqual(
        found.map((s) => [s.slotId, s.free]),
        [[f.dose1.id, 3]],
      );
      assert.deepEqual(await slots.freeSeatsByRegion(tdb.db, f.campaignId, dateAfter(NOW, 1)), [
        { regionCode: '11', free: 7, capacity: 7 },
      ]);
      assert.equal(await slots.freeSeatsTotal(tdb.db, f.campaignId, dateAfter(NOW, 1)), 7, 'the same seats in all');
      assert.equal(await slots.freeSeatsTotal(tdb.db, 'no-such-campaign', dateAfter(NOW, 1)), 0);
    });

    it('lists nearest dates first, the roomiest first within a date, equals in an order of the seed', async () => {
      const campaign = await newLiveCampaign(tdb.db, NOW, { id: 'search-order' });
      const facilities = [];
      for (let i = 0; i < 6; i++) facilities.push(await newFacility(tdb.db, `SO${i}`));
      const slotOf = async (facility: number, day: number, capacity: number) =>
        (
          await newSlotPair(tdb.db, {
            campaignId: campaign.id,
            facilityId: facility,
            date: dateAfter(NOW, day),
            capacity,
          })
        ).dose1.id;
      // Day 5: one slot with its last seat (SO0), four with 5 free; day 6: a roomy one.
      const last = await slotOf(facilities[0]!.id, 5, 1);
      const roomy = [];
      for (const f of facilities.slice(1, 5)) roomy.push(await slotOf(f.id, 5, 5));
      const later = await slotOf(facilities[5]!.id, 6, 9);
      const search = (spreadSeed?: number) =>
        slots
          .searchOpenSlots(tdb.db, {
            campaignId: campaign.id,
            vaccineCodes: ['pfizer'],
            fromDate: dateAfter(NOW, 1),
            limit: 10,
            spreadSeed,
          })
          .then((found) => found.map((s) => s.slotId));
      const unseeded = await search();
      assert.deepEqual(unseeded, [...roomy, last, later], 'by date, then free seats, then facility code');
      const orders = new Set<string>();
      for (let seed = 1; seed <= 12; seed++) {
        const found = await search(seed);
        assert.deepEqual(found.slice(4), [last, later], 'the seed orders only the equals');
        assert.deepEqual(
          [...found.slice(0, 4)].sort((a, b) => a - b),
          [...roomy].sort((a, b) => a - b),
        );
        assert.deepEqual(await search(seed), found, 'the same seed, the same list');
        orders.add(found.slice(0, 4).join());
      }
      assert.ok(orders.size >= 4, `twelve people see the four equals in different orders (${orders.size})`);
    });

    it('claims due outbox messages once (leased), records failures and marks each message sent on its own', async () => {
      const f = await fixture('outbox', 3);
      const [p] = await newPeople(tdb.db, 1);
      const placed = await stores(tdb).writeBookingTakingSeats({
        kind: 'place',
        booking: newBooking(f, p!.id, 'ob-1'),
        message: message('BN-ob-1'),
      });
      assert.ok(placed.ok);
      const booking = placed.booking;
      const mine = async (nowMs: number) =>
        (await outbox.claimDueMessages(tdb.db, nowMs, 100, 2_000)).filter((m) => m.booking_id === booking.id);
      const due = await mine(NOW);
      assert.equal(due.length, 1);
      assert.equal(due[0]!.payload.bookingNumber, booking.booking_number);
      assert.equal((await mine(NOW + 1_999)).length, 0, 'claimed: no other sender gets it during the lease');
      const again = await mine(NOW + 2_000);
      assert.deepEqual(
        again.map((m) => m.id),
        [due[0]!.id],
        'a claim never marked comes due again, with the same id, when its lease ends',
      );
      await outbox.markAttemptFailed(tdb.db, due[0]!.id, {
        nowMs: NOW + 2_000,
        nextAttemptMs: NOW + 7_000,
        error: 'timeout',
        giveUp: false,
      });
      assert.equal((await mine(NOW + 3_000)).length, 0);
      assert.equal((await mine(NOW + 7_000)).length, 1);
      await outbox.markSent(tdb.db, [due[0]!.id], NOW + 8_000);
      assert.equal((await mine(NOW + 60_000)).length, 0);
      const row = await tdb.db.selectFrom('outbox').selectAll().where('id', '=', due[0]!.id).executeTakeFirstOrThrow();
      assert.equal(row.attempts, 2);
      assert.ok(row.sent_at);
    });

    it('counts people by birth date as YYYY-MM-DD strings', async () => {
      await newPeople(tdb.db, 3, '1972-02-29');
      const counts = await countPeopleByBirthDate(tdb.db);
      assert.equal(counts.get('1972-02-29'), 3);
    });
  });
}
