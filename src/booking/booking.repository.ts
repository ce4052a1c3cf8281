/** Bookings and their outbox rows. The service decides where the transaction starts. */
import type { Insertable } from 'kysely';
import type { DbOrTrx } from '../platform/db.ts';
import type { BookingRow, BookingsTable, OutboxKind, OutboxPayload } from './booking.table.ts';

export type NewBooking = Insertable<BookingsTable>;

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
