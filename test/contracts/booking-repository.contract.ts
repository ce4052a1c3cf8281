/**
 * What the booking repositories must do on every engine (real Postgres and embedded PGlite):
 * the same SQL, the same answers, the same constraint names (the service maps them to reasons).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { TestDatabase } from '../support/databases.ts';
import { newFacility, newLiveCampaign, newPeople, newSlotPair, dateAfter } from '../support/factories.ts';
import { uniqueViolation } from '../../src/platform/db-errors.ts';
import * as slots from '../../src/booking/slot.repository.ts';
import * as bookings from '../../src/booking/booking.repository.ts';
import * as outbox from '../../src/booking/outbox.repository.ts';
import { countPeopleByBirthDate } from '../../src/people/people.repository.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');

export function bookingRepositoryContract(engine: string, open: () => Promise<TestDatabase>) {
  describe(`booking repositories (${engine})`, () => {
    let tdb: TestDatabase;
    before(async () => { tdb = await open(); });
    after(async () => { await tdb.close(); });

    async function fixture(id: string, capacity: number) {
      const campaign = await newLiveCampaign(tdb.db, NOW, { id });
      const facility = await newFacility(tdb.db);
      const pair = await newSlotPair(tdb.db, { campaignId: campaign.id, facilityId: facility.id, date: dateAfter(NOW, 5), capacity });
      return { campaign, facility, ...pair };
    }

    const bookingRow = (f: Awaited<ReturnType<typeof fixture>>, personId: number, key: string, admission: string | null = null) => ({
      booking_number: `BN-${key}`, campaign_id: f.campaign.id, campaign_version: 1, person_id: personId, requested_by_id: personId,
      status: 'active' as const, facility_id: f.facility.id, vaccine_code: 'pfizer', dose1_slot_id: f.dose1.id, dose1_date: f.dose1.date,
      dose2_slot_id: f.dose2.id, dose2_date: f.dose2.date, idempotency_key: key, admission_id: admission,
      created_at: new Date(NOW), updated_at: new Date(NOW), cancelled_at: null,
    });

    it('takes seats up to capacity and not one more, and releases them', async () => {
      const f = await fixture('seats', 2);
      assert.deepEqual([await slots.takeSeatIfAvailable(tdb.db, f.dose1.id), await slots.takeSeatIfAvailable(tdb.db, f.dose1.id), await slots.takeSeatIfAvailable(tdb.db, f.dose1.id)], [true, true, false]);
      await slots.releaseSeat(tdb.db, f.dose1.id);
      assert.equal((await slots.findSlot(tdb.db, f.dose1.id))!.booked, 1);
      const d2 = { campaignId: f.campaign.id, facilityId: f.facility.id, date: f.dose2Date, vaccineCode: 'pfizer' };
      assert.equal(await slots.takeDose2SeatIfAvailable(tdb.db, d2), f.dose2.id);
      assert.equal(await slots.takeDose2SeatIfAvailable(tdb.db, { ...d2, date: dateAfter(NOW, 99) }), undefined);
    });

    it('writes a booking with both seats and its outbox row in one statement, or nothing at all', async () => {
      const f = await fixture('one-statement', 1);
      const [a, b] = await newPeople(tdb.db, 2);
      const message = (bn: string) => ({ kind: 'booking-confirmed' as const, nowMs: NOW, payload: { to: '010', bookingNumber: bn, text: { ko: '가', en: 'a' } } });
      const { dose2_slot_id: _unused, ...row } = bookingRow(f, a!.id, 'os-1');
      const placed = await bookings.insertBookingTakingSeats(tdb.db, row, message('BN-os-1'));
      assert.ok(placed.ok);
      assert.equal(placed.booking.dose2_slot_id, f.dose2.id);
      assert.equal(placed.booking.dose1_date, f.dose1.date);
      const outboxRows = async (id: string) => tdb.db.selectFrom('outbox').innerJoin('bookings', 'bookings.id', 'outbox.booking_id').select('outbox.kind').where('bookings.campaign_id', '=', id).execute();
      assert.deepEqual(await outboxRows(f.campaign.id), [{ kind: 'booking-confirmed' }]);
      const { dose2_slot_id: _u2, ...full } = { ...bookingRow(f, b!.id, 'os-2'), booking_number: 'BN-os-2' };
      assert.deepEqual(await bookings.insertBookingTakingSeats(tdb.db, full, message('BN-os-2')), { ok: false, reason: 'slot-full' });
      assert.deepEqual([(await slots.findSlot(tdb.db, f.dose1.id))!.booked, (await slots.findSlot(tdb.db, f.dose2.id))!.booked], [1, 1]);

      const g = await fixture('one-statement-no-dose2', 1);
      const { dose2_slot_id: _u3, ...noDose2 } = { ...bookingRow(g, b!.id, 'os-3'), dose2_date: dateAfter(NOW, 99) };
      assert.deepEqual(await bookings.insertBookingTakingSeats(tdb.db, noDose2, message('BN-os-3')), { ok: false, reason: 'dose2-unavailable' });
      assert.equal((await slots.findSlot(tdb.db, g.dose1.id))!.booked, 0, 'the dose-1 seat went back with the failed statement');
      assert.deepEqual(await outboxRows(g.campaign.id), []);

      const second = await newSlotPair(tdb.db, { campaignId: f.campaign.id, facilityId: f.facility.id, date: dateAfter(NOW, 6), capacity: 1 });
      const { dose2_slot_id: _u4, ...again } = { ...bookingRow(f, a!.id, 'os-4'), booking_number: 'BN-os-4', dose1_slot_id: second.dose1.id, dose1_date: second.dose1.date, dose2_date: second.dose2.date };
      await assert.rejects(bookings.insertBookingTakingSeats(tdb.db, again, message('BN-os-4')), (e) => uniqueViolation(e) === 'bookings_one_active_per_person');
      assert.deepEqual([(await slots.findSlot(tdb.db, second.dose1.id))!.booked, (await slots.findSlot(tdb.db, second.dose2.id))!.booked], [0, 0], 'a unique violation gives the seats back too');
    });

    it('names the same constraints on a second active booking, a reused idempotency key and a reused admission', async () => {
      const f = await fixture('constraints', 10);
      const [a, b] = await newPeople(tdb.db, 2);
      await bookings.insertBooking(tdb.db, bookingRow(f, a!.id, 'k-1', 'adm-1'));
      const names = [];
      for (const row of [bookingRow(f, a!.id, 'k-2'), { ...bookingRow(f, b!.id, 'k-3'), requested_by_id: a!.id, idempotency_key: 'k-1' }, bookingRow(f, b!.id, 'k-4', 'adm-1')]) {
        try { await bookings.insertBooking(tdb.db, row); names.push('inserted'); } catch (e) { names.push(uniqueViolation(e)); }
      }
      assert.deepEqual(names, ['bookings_one_active_per_person', 'bookings_requested_by_id_idempotency_key_key', 'bookings_admission_id_key']);
    });

    it('finds open slots for a rotation group and sums free seats by region', async () => {
      const f = await fixture('search', 3);
      await slots.insertSlots(tdb.db, [{ campaign_id: f.campaign.id, facility_id: f.facility.id, date: dateAfter(NOW, 6), vaccine_code: 'pfizer', dose: 1, rotation_group: 7, capacity: 4 }]);
      const found = await slots.searchOpenSlots(tdb.db, { campaignId: f.campaign.id, vaccineCodes: ['pfizer'], fromDate: dateAfter(NOW, 1), rotationGroup: 3, limit: 10 });
      assert.deepEqual(found.map((s) => [s.slotId, s.free]), [[f.dose1.id, 3]]);
      assert.deepEqual(await slots.freeSeatsByRegion(tdb.db, f.campaign.id, dateAfter(NOW, 1)), [{ regionCode: '11', free: 7, capacity: 7 }]);
    });

    it('claims due outbox messages once (leased), records failures and marks each message sent on its own', async () => {
      const f = await fixture('outbox', 3);
      const [p] = await newPeople(tdb.db, 1);
      const booking = await bookings.insertBooking(tdb.db, bookingRow(f, p!.id, 'ob-1'));
      await bookings.insertOutboxMessage(tdb.db, { bookingId: booking.id, kind: 'booking-confirmed', nowMs: NOW, payload: { to: '010', bookingNumber: booking.booking_number, text: { ko: '가', en: 'a' } } });
      const mine = async (nowMs: number) => (await outbox.claimDueMessages(tdb.db, nowMs, 100, 2_000)).filter((m) => m.booking_id === booking.id);
      const due = await mine(NOW);
      assert.equal(due.length, 1);
      assert.equal(due[0]!.payload.bookingNumber, booking.booking_number);
      assert.equal((await mine(NOW + 1_999)).length, 0, 'claimed: no other sender gets it during the lease');
      const again = await mine(NOW + 2_000);
      assert.deepEqual(again.map((m) => m.id), [due[0]!.id], 'a claim never marked comes due again, with the same id, when its lease ends');
      await outbox.markAttemptFailed(tdb.db, due[0]!.id, { nowMs: NOW + 2_000, nextAttemptMs: NOW + 7_000, error: 'timeout', giveUp: false });
      assert.equal((await mine(NOW + 3_000)).length, 0);
      assert.equal((await mine(NOW + 7_000)).length, 1);
      await outbox.markSent(tdb.db, due[0]!.id, NOW + 8_000);
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
