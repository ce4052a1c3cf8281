/** Bookings and their outbox rows. The service decides where the transaction starts. */
import { sql, type Insertable } from 'kysely';
import type { DbOrTrx } from '../platform/db.ts';
import type { BookingRow, BookingsTable, OutboxKind, OutboxPayload } from './booking.table.ts';

export type NewBooking = Insertable<BookingsTable>;

export type SeatedBookingFailure = 'slot-full' | 'dose2-unavailable';

/** The not-null violation that means "no dose-2 seat": both drivers name the column. */
function isMissingDose2Seat(e: unknown): boolean {
  const pe = e as { code?: unknown; column?: unknown; message?: unknown };
  return pe?.code === '23502' && (pe.column === 'dose2_slot_id' || String(pe.message ?? '').includes('dose2_slot_id'));
}

/**
 * A new booking in ONE statement, so one round trip and atomic without BEGIN/COMMIT: takes the
 * dose-1 seat, then a dose-2 seat at the same facility on the dose-2 date, inserts the booking and
 * its outbox message. Each seat is taken by a conditional UPDATE that re-checks `booked < capacity`
 * under the row lock, so nothing can oversell. Outcomes:
 * - dose 1 full: no row is written (the booking and outbox inserts select from an empty CTE);
 * - dose 1 taken, no dose-2 seat: the booking's dose2_slot_id is NULL, its NOT NULL constraint
 *   fails the statement, and the dose-1 seat goes back with it;
 * - a unique violation (second active booking, reused key or admission) or any other error: the
 *   statement fails as a whole, seats and outbox row included. The caller maps constraint names.
 */
export async function insertBookingTakingSeats(
  db: DbOrTrx, b: Omit<NewBooking, 'dose2_slot_id'>, message: { kind: OutboxKind; payload: OutboxPayload; nowMs: number },
): Promise<{ ok: true; booking: BookingRow } | { ok: false; reason: SeatedBookingFailure }> {
  const at = new Date(message.nowMs).toISOString();
  try {
    const r = await sql<BookingRow>`
      WITH d1 AS (
        UPDATE slots SET booked = booked + 1 WHERE id = ${b.dose1_slot_id}::bigint AND booked < capacity RETURNING id
      ), d2 AS (
        UPDATE slots SET booked = booked + 1
        WHERE id = (SELECT id FROM slots WHERE campaign_id = ${b.campaign_id}::text AND facility_id = ${b.facility_id}::int
                      AND date = ${b.dose2_date}::date AND vaccine_code = ${b.vaccine_code}::text AND dose = 2 AND booked < capacity
                    ORDER BY id LIMIT 1)
          AND booked < capacity AND EXISTS (SELECT 1 FROM d1)
        RETURNING id
      ), b AS (
        INSERT INTO bookings (booking_number, campaign_id, campaign_version, person_id, requested_by_id, status, facility_id,
                              vaccine_code, dose1_slot_id, dose1_date, dose2_slot_id, dose2_date, idempotency_key, admission_id,
                              created_at, updated_at, cancelled_at)
        SELECT ${b.booking_number}::text, ${b.campaign_id}::text, ${b.campaign_version}::int, ${b.person_id}::bigint,
               ${b.requested_by_id}::bigint, ${b.status}::text, ${b.facility_id}::int, ${b.vaccine_code}::text, d1.id,
               ${b.dose1_date}::date, (SELECT id FROM d2), ${b.dose2_date}::date, ${b.idempotency_key}::text,
               ${b.admission_id ?? null}::text, ${at}::timestamptz, ${at}::timestamptz, NULL
        FROM d1
        RETURNING *
      ), o AS (
        INSERT INTO outbox (booking_id, kind, payload, created_at, next_attempt_at)
        SELECT id, ${message.kind}::text, ${JSON.stringify(message.payload)}::jsonb, ${at}::timestamptz, ${at}::timestamptz FROM b
      )
      SELECT * FROM b`.execute(db);
    const booking = r.rows[0];
    return booking ? { ok: true, booking } : { ok: false, reason: 'slot-full' };
  } catch (e) {
    if (isMissingDose2Seat(e)) return { ok: false, reason: 'dose2-unavailable' };
    throw e;
  }
}

export async function insertBooking(db: DbOrTrx, b: NewBooking): Promise<BookingRow> {
  return db.insertInto('bookings').values(b).returningAll().executeTakeFirstOrThrow();
}

export async function findBookingByIdempotencyKey(db: DbOrTrx, requestedById: number, key: string): Promise<BookingRow | undefined> {
  return db.selectFrom('bookings').selectAll()
    .where('requested_by_id', '=', requestedById).where('idempotency_key', '=', key).executeTakeFirst();
}

export async function findActiveBooking(db: DbOrTrx, campaignId: string, personId: number): Promise<BookingRow | undefined> {
  return db.selectFrom('bookings').selectAll()
    .where('campaign_id', '=', campaignId).where('person_id', '=', personId).where('status', '=', 'active').executeTakeFirst();
}

/** Bookings a verified identity may see: its own, and those it made for someone else. */
export async function findBookingsVisibleTo(db: DbOrTrx, personId: number): Promise<BookingRow[]> {
  return db.selectFrom('bookings').selectAll()
    .where((eb) => eb.or([eb('person_id', '=', personId), eb('requested_by_id', '=', personId)]))
    .orderBy('created_at', 'desc').limit(50).execute();
}

/** Locks the booking row for a change or cancellation (FOR UPDATE) if `personId` may act on it. */
export async function lockBookingForOwner(db: DbOrTrx, bookingNumber: string, personId: number): Promise<BookingRow | undefined> {
  return db.selectFrom('bookings').selectAll().where('booking_number', '=', bookingNumber)
    .where((eb) => eb.or([eb('person_id', '=', personId), eb('requested_by_id', '=', personId)]))
    .forUpdate().executeTakeFirst();
}

export async function updateBooking(db: DbOrTrx, id: number, patch: Partial<NewBooking>): Promise<BookingRow> {
  return db.updateTable('bookings').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function insertOutboxMessage(
  db: DbOrTrx, m: { bookingId: number; kind: OutboxKind; payload: OutboxPayload; nowMs: number },
): Promise<void> {
  const at = new Date(m.nowMs);
  await db.insertInto('outbox').values({
    booking_id: m.bookingId, kind: m.kind, payload: JSON.stringify(m.payload), created_at: at, next_attempt_at: at,
  }).execute();
}
