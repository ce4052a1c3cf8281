import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { fixedClock } from '../platform/clock.ts';
import { postgresForTest, type TestDatabase } from '../../test/support/databases.ts';
import { newFacility, newLiveCampaign, newPeople, newSlotPair, dateAfter } from '../../test/support/factories.ts';
import { capturingChannel, testServices } from '../../test/support/services.ts';
import { createBookingService } from './booking.service.ts';
import { kyselyBookingStores } from './kysely-booking-store.ts';
import type { OutboxKind } from './booking.table.ts';
import { findPersonById } from '../people/people.repository.ts';
import { findFacilityById } from '../facilities/facilities.repository.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');

async function seatCounts(db: TestDatabase['db'], ids: number[]) {
  return db.selectFrom('slots').select(['id', 'booked', 'capacity']).where('id', 'in', ids).orderBy('dose').execute();
}

describe('booking engine on real Postgres', () => {
  let tdb: TestDatabase | undefined;
  before(async () => {
    tdb = await postgresForTest(undefined, 24);
  });
  after(async () => {
    await tdb?.close();
  });

  it('lets exactly 100 of 2,000 concurrent requests book 100 seats, with counters, rows and outbox agreeing', async () => {
    const db = tdb!.db;
    const clock = fixedClock(NOW);
    const campaign = await newLiveCampaign(db, NOW, { id: 'race' });
    const facility = await newFacility(db);
    const { dose1, dose2 } = await newSlotPair(db, {
      campaignId: campaign.id,
      facilityId: facility.id,
      date: dateAfter(NOW, 5),
      capacity: 100,
    });
    const people = await newPeople(db, 2000);
    const svc = testServices(tdb!, clock);

    const results = await Promise.all(
      people.map((p) =>
        svc.booking.placeBooking({
          requesterId: p.id,
          campaignId: campaign.id,
          slotId: dose1.id,
          idempotencyKey: `race-${p.id}`,
        }),
      ),
    );

    const placed = results.filter((r) => r.ok);
    const reasons = new Set(results.filter((r) => !r.ok).map((r) => (r as { reason: string }).reason));
    assert.equal(placed.length, 100);
    assert.deepEqual([...reasons], ['slot-full']);
    const seats = await seatCounts(db, [dose1.id, dose2.id]);
    assert.deepEqual(
      seats.map((s) => s.booked),
      [100, 100],
    );
    const rows = await db
      .selectFrom('bookings')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('campaign_id', '=', campaign.id)
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow();
    assert.equal(rows.n, 100);
    const outbox = await db
      .selectFrom('outbox')
      .innerJoin('bookings', 'bookings.id', 'outbox.booking_id')
      .select(['outbox.booking_id', 'outbox.kind'])
      .where('bookings.campaign_id', '=', campaign.id)
      .execute();
    assert.equal(outbox.length, 100);
    assert.equal(new Set(outbox.map((o) => o.booking_id)).size, 100);
    assert.ok(outbox.every((o) => o.kind === 'booking-confirmed'));
  });

  it('rolls back the dose-1 seat and writes no outbox row when dose 2 has no room', async () => {
    const db = tdb!.db;
    const campaign = await newLiveCampaign(db, NOW, { id: 'dose2-full' });
    const facility = await newFacility(db);
    const { dose1, dose2 } = await newSlotPair(db, {
      campaignId: campaign.id,
      facilityId: facility.id,
      date: dateAfter(NOW, 5),
      capacity: 5,
      dose2Capacity: 0,
    });
    const [person] = await newPeople(db, 1);
    const svc = testServices(tdb!, fixedClock(NOW));

    const r = await svc.booking.placeBooking({
      requesterId: person!.id,
      campaignId: campaign.id,
      slotId: dose1.id,
      idempotencyKey: 'dose2-full-1',
    });

    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'dose2-unavailable');
    assert.deepEqual(
      (await seatCounts(db, [dose1.id, dose2.id])).map((s) => s.booked),
      [0, 0],
    );
    const outbox = await db
      .selectFrom('outbox')
      .innerJoin('bookings', 'bookings.id', 'outbox.booking_id')
      .select('outbox.id')
      .where('bookings.campaign_id', '=', campaign.id)
      .execute();
    assert.equal(outbox.length, 0);
    assert.equal(
      (await db.selectFrom('bookings').select('id').where('campaign_id', '=', campaign.id).execute()).length,
      0,
    );
  });

  it('leaves no booking, seat or outbox row when the booking write fails at its last part, the outbox insert', async () => {
    const db = tdb!.db;
    const clock = fixedClock(NOW);
    const campaign = await newLiveCampaign(db, NOW, { id: 'fail-late' });
    const facility = await newFacility(db);
    const { dose1, dose2 } = await newSlotPair(db, {
      campaignId: campaign.id,
      facilityId: facility.id,
      date: dateAfter(NOW, 5),
      capacity: 5,
    });
    const [person] = await newPeople(db, 1);
    const base = testServices(tdb!, clock);
    // The seats are taken and the booking inserted before the outbox row, in the same statement; a
    // message kind the outbox's CHECK refuses makes the database fail that last part.
    const stores = kyselyBookingStores({ db, findPerson: findPersonById, findFacility: findFacilityById });
    const failing = createBookingService({
      clock,
      liveCampaign: base.campaigns.liveCampaign,
      newBookingNumber: () => 'FAIL-LATE-0001',
      resolveProxyTarget: async () => {
        throw new Error('unused');
      },
      store: {
        ...stores,
        writeBookingTakingSeats: (w) =>
          stores.writeBookingTakingSeats({ ...w, message: { ...w.message, kind: 'refused-kind' as OutboxKind } }),
      },
    });

    await assert.rejects(
      failing.placeBooking({
        requesterId: person!.id,
        campaignId: campaign.id,
        slotId: dose1.id,
        idempotencyKey: 'fail-late-1',
      }),
      /outbox_kind_check/,
    );

    assert.deepEqual(
      (await seatCounts(db, [dose1.id, dose2.id])).map((s) => s.booked),
      [0, 0],
    );
    assert.equal(
      (await db.selectFrom('bookings').select('id').where('booking_number', '=', 'FAIL-LATE-0001').execute()).length,
      0,
    );
    const outbox = await db
      .selectFrom('outbox')
      .select('id')
      .where('payload', '@>', sql<string>`'{"bookingNumber":"FAIL-LATE-0001"}'::jsonb` as never)
      .execute();
    assert.equal(outbox.length, 0);
    const ok = await base.booking.placeBooking({
      requesterId: person!.id,
      campaignId: campaign.id,
      slotId: dose1.id,
      idempotencyKey: 'fail-late-2',
    });
    assert.equal(ok.ok, true, 'the same person books the same slot once the write can succeed');
  });

  it('delivers a committed confirmation after a crash between commit and send, exactly once', async () => {
    const db = tdb!.db;
    const clock = fixedClock(NOW);
    const campaign = await newLiveCampaign(db, NOW, { id: 'crash' });
    const facility = await newFacility(db);
    const { dose1 } = await newSlotPair(db, {
      campaignId: campaign.id,
      facilityId: facility.id,
      date: dateAfter(NOW, 5),
      capacity: 5,
    });
    const [person] = await newPeople(db, 1);
    const beforeCrash = testServices(tdb!, clock);
    const placed = await beforeCrash.booking.placeBooking({
      requesterId: person!.id,
      campaignId: campaign.id,
      slotId: dose1.id,
      idempotencyKey: 'crash-1',
    });
    assert.ok(placed.ok);
    // The process dies here: its sender never ran. A new process starts with a new sender.
    const channel = capturingChannel();
    const afterRestart = testServices(tdb!, clock, channel);

    channel.failNextFor(placed.value.bookingNumber, 1);
    const drain = async () => {
      for (let round = 0; round < 50; round++) {
        const r = await afterRestart.outboxSender.runOnce();
        if (r.sent === 0 && r.failed === 0) return;
      }
      throw new Error('outbox did not drain in 50 rounds');
    };
    await drain();
    const sentBeforeBackoff = channel.sent.filter((m) => m.bookingNumber === placed.value.bookingNumber).length;
    clock.advance(10 * 60_000);
    await drain();
    await drain();

    const mine = channel.sent.filter((m) => m.bookingNumber === placed.value.bookingNumber);
    assert.equal(sentBeforeBackoff, 0);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.kind, 'booking-confirmed');
    const row = await db
      .selectFrom('outbox')
      .innerJoin('bookings', 'bookings.id', 'outbox.booking_id')
      .select(['outbox.attempts', 'outbox.sent_at', 'outbox.last_error'])
      .where('bookings.booking_number', '=', placed.value.bookingNumber)
      .executeTakeFirstOrThrow();
    assert.equal(row.attempts, 2);
    assert.ok(row.sent_at);
    assert.equal(row.last_error, null);
  });

  it('returns the same booking for a retried request and refuses a second booking for the same person', async () => {
    const db = tdb!.db;
    const campaign = await newLiveCampaign(db, NOW, { id: 'idem' });
    const facility = await newFacility(db);
    const { dose1 } = await newSlotPair(db, {
      campaignId: campaign.id,
      facilityId: facility.id,
      date: dateAfter(NOW, 5),
      capacity: 5,
    });
    const [person] = await newPeople(db, 1);
    const svc = testServices(tdb!, fixedClock(NOW));
    const input = { requesterId: person!.id, campaignId: campaign.id, slotId: dose1.id, idempotencyKey: 'idem-key-1' };

    const [a, b] = await Promise.all([svc.booking.placeBooking(input), svc.booking.placeBooking(input)]);
    const c = await svc.booking.placeBooking({ ...input, idempotencyKey: 'idem-key-2' });

    assert.ok(a.ok && b.ok);
    assert.equal(a.value.bookingNumber, b.value.bookingNumber);
    assert.equal(!c.ok && c.reason, 'already-booked');
    assert.deepEqual(
      (await seatCounts(db, [dose1.id])).map((s) => s.booked),
      [1],
    );
  });

  it('changes and cancels, returning seats and writing one message per committed change', async () => {
    const db = tdb!.db;
    const campaign = await newLiveCampaign(db, NOW, { id: 'change' });
    const facility = await newFacility(db);
    const first = await newSlotPair(db, {
      campaignId: campaign.id,
      facilityId: facility.id,
      date: dateAfter(NOW, 5),
      capacity: 5,
    });
    const second = await newSlotPair(db, {
      campaignId: campaign.id,
      facilityId: facility.id,
      date: dateAfter(NOW, 6),
      capacity: 5,
    });
    const [person] = await newPeople(db, 1);
    const svc = testServices(tdb!, fixedClock(NOW));
    const placed = await svc.booking.placeBooking({
      requesterId: person!.id,
      campaignId: campaign.id,
      slotId: first.dose1.id,
      idempotencyKey: 'change-1',
    });
    assert.ok(placed.ok);

    const changed = await svc.booking.changeBooking({
      requesterId: person!.id,
      bookingNumber: placed.value.bookingNumber,
      slotId: second.dose1.id,
    });
    assert.ok(changed.ok);
    assert.equal(changed.value.dose2.date, second.dose2Date);
    assert.deepEqual(
      (await seatCounts(db, [first.dose1.id, first.dose2.id, second.dose1.id, second.dose2.id]))
        .map((s) => s.booked)
        .sort(),
      [0, 0, 1, 1],
    );

    const cancelled = await svc.booking.cancelBooking({
      requesterId: person!.id,
      bookingNumber: placed.value.bookingNumber,
    });
    const again = await svc.booking.cancelBooking({
      requesterId: person!.id,
      bookingNumber: placed.value.bookingNumber,
    });
    assert.ok(cancelled.ok && cancelled.value.status === 'cancelled');
    assert.equal(!again.ok && again.reason, 'booking-cancelled');
    assert.deepEqual(
      (await seatCounts(db, [second.dose1.id, second.dose2.id])).map((s) => s.booked),
      [0, 0],
    );
    const kinds = await db
      .selectFrom('outbox')
      .innerJoin('bookings', 'bookings.id', 'outbox.booking_id')
      .select('outbox.kind')
      .where('bookings.booking_number', '=', placed.value.bookingNumber)
      .orderBy('outbox.id')
      .execute();
    assert.deepEqual(
      kinds.map((k) => k.kind),
      ['booking-confirmed', 'booking-changed', 'booking-cancelled'],
    );
  });
});
