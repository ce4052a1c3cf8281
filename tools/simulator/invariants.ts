/**
 * What must hold after any run, checked against the database and the outbox, not against the
 * simulator's own bookkeeping: nobody booked twice, no slot oversold (and every slot's count equals
 * the bookings that hold it), every booking has exactly one confirmation in the outbox which the
 * sender delivered exactly once, and the simulator's count of successful bookings matches the rows.
 */
import { sql } from 'kysely';
import type { Db } from '../../src/platform/db.ts';
import type { MessageChannel } from '../../src/booking/outbox.sender.ts';

export interface Invariant {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: Record<string, number>;
}

/** An SMS gateway stand-in that counts deliveries per booking number (at-least-once shows up as 2). */
export function countingChannel(): MessageChannel & { readonly deliveries: Map<string, number>; total: number } {
  const deliveries = new Map<string, number>();
  const channel = {
    deliveries,
    total: 0,
    async send(m: { kind: string; payload: { bookingNumber?: string } }) {
      if (m.kind !== 'booking-confirmed' || m.payload.bookingNumber === undefined) return;
      channel.total += 1;
      deliveries.set(m.payload.bookingNumber, (deliveries.get(m.payload.bookingNumber) ?? 0) + 1);
    },
  };
  return channel;
}

const count = async (db: Db, query: ReturnType<typeof sql<{ n: number }>>): Promise<number> =>
  (await query.execute(db)).rows[0]?.n ?? -1;

export async function checkInvariants(
  db: Db,
  campaignId: string,
  delivered: ReadonlyMap<string, number> | null,
  simulatorBookings: number,
): Promise<Invariant[]> {
  const twice = await count(
    db,
    sql<{
      n: number;
    }>`select count(*)::int as n from (select person_id from bookings where campaign_id = ${campaignId} group by person_id having count(*) > 1) x`,
  );
  const oversold = await count(
    db,
    sql<{ n: number }>`select count(*)::int as n from slots where campaign_id = ${campaignId} and booked > capacity`,
  );
  const miscounted = await count(
    db,
    sql<{ n: number }>`
    with held as (
      select dose1_slot_id as id from bookings where campaign_id = ${campaignId} and status = 'active'
      union all select dose2_slot_id from bookings where campaign_id = ${campaignId} and status = 'active'),
    n as (select id, count(*)::int as n from held group by id)
    select count(*)::int as n from slots s left join n on n.id = s.id where s.campaign_id = ${campaignId} and s.booked <> coalesce(n.n, 0)`,
  );
  const bookings = await count(
    db,
    sql<{ n: number }>`select count(*)::int as n from bookings where campaign_id = ${campaignId} and status = 'active'`,
  );
  const withoutAdmission = await count(
    db,
    sql<{
      n: number;
    }>`select count(*)::int as n from bookings where campaign_id = ${campaignId} and admission_id is null`,
  );
  const notOneConfirmation = await count(
    db,
    sql<{ n: number }>`
    select count(*)::int as n from bookings b
    left join (select booking_id, count(*)::int as n from outbox where kind = 'booking-confirmed' group by booking_id) o on o.booking_id = b.id
    where b.campaign_id = ${campaignId} and coalesce(o.n, 0) <> 1`,
  );
  const unsent = await count(
    db,
    sql<{ n: number }>`select count(*)::int as n from outbox where kind = 'booking-confirmed' and sent_at is null`,
  );
  const result: Invariant[] = [
    { name: 'nobodyBookedTwice', ok: twice === 0, detail: { peopleWithMoreThanOneBooking: twice } },
    {
      name: 'noSlotOversold',
      ok: oversold === 0 && miscounted === 0,
      detail: { slotsOverCapacity: oversold, slotsWhoseCountDiffersFromBookings: miscounted },
    },
    {
      name: 'everyBookingHasOneConfirmation',
      ok: notOneConfirmation === 0 && unsent === 0,
      detail: { bookingsWithoutExactlyOneConfirmation: notOneConfirmation, confirmationsNotSent: unsent },
    },
    {
      name: 'everyBookingUsedAnAdmission',
      ok: withoutAdmission === 0,
      detail: { bookingsWithoutAdmission: withoutAdmission },
    },
    {
      name: 'simulatorAgreesWithDatabase',
      ok: bookings === simulatorBookings,
      detail: { databaseBookings: bookings, simulatorBookings },
    },
  ];
  if (delivered) result.push(await deliveredOnce(db, campaignId, delivered));
  return result;
}

/** Every booking's confirmation reached the channel exactly once, and nothing else did. */
async function deliveredOnce(db: Db, campaignId: string, delivered: ReadonlyMap<string, number>): Promise<Invariant> {
  let missing = 0,
    duplicated = 0,
    known = 0,
    lastId = 0;
  for (;;) {
    const page = await db
      .selectFrom('bookings')
      .select(['id', 'booking_number'])
      .where('campaign_id', '=', campaignId)
      .where('id', '>', lastId)
      .orderBy('id')
      .limit(50_000)
      .execute();
    if (page.length === 0) break;
    for (const b of page) {
      const n = delivered.get(b.booking_number) ?? 0;
      if (n === 0) missing += 1;
      else if (n > 1) duplicated += 1;
      if (n > 0) known += 1;
    }
    lastId = page[page.length - 1]!.id;
  }
  const strangers = delivered.size - known;
  return {
    name: 'confirmationDeliveredOnce',
    ok: missing === 0 && duplicated === 0 && strangers === 0,
    detail: {
      bookingsNeverConfirmed: missing,
      bookingsConfirmedTwice: duplicated,
      confirmationsForUnknownBookings: strangers,
    },
  };
}
