/**
 * Bookings and their outbox rows on Postgres / PGlite. The service decides where a transaction
 * starts (see kysely-booking-store.ts, which binds these to the pool or a transaction).
 */
import { sql, type RawBuilder } from 'kysely';
import { PREPARED, type DbOrTrx } from '../platform/db.ts';
import { uniqueViolation } from '../platform/db-errors.ts';
import type { BookingRow, OutboxPayload } from './booking.table.ts';
import {
  DOSE1_DATE_MARK,
  DOSE2_DATE_MARK,
  type EarliestSeat,
  type NewBooking,
  type NewEarliestBooking,
  type OutboxMessage,
  type SeatedWrite,
  type SeatedWriteFailure,
  type SeatedWriteResult,
  type SeatPair,
  type WrittenMessage,
} from './booking.store.ts';

/** The not-null violation that means "no dose-2 seat": both drivers name the column. */
function isMissingDose2Seat(e: unknown): boolean {
  const pe = e as { code?: unknown; column?: unknown; message?: unknown };
  return pe?.code === '23502' && (pe.column === 'dose2_slot_id' || String(pe.message ?? '').includes('dose2_slot_id'));
}

/** The failure a unique violation means; undefined for any other error (rethrown as it came). */
const FAILURE_OF_CONSTRAINT: Record<string, SeatedWriteFailure> = {
  bookings_one_active_per_person: 'already-booked',
  bookings_requested_by_id_idempotency_key_key: 'idempotency-key-used',
  bookings_admission_id_key: 'admission-used',
};

/**
 * The seat-taking part every seated write shares, as two CTEs: `d1` takes the dose-1 seat, `d2` a
 * dose-2 seat at the same facility on the dose-2 date, and only if `d1` did. Each is a conditional
 * UPDATE that re-checks `booked < capacity` under the row lock, so nothing can oversell.
 */
function seatCtes(s: SeatPair, guard: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`d1 AS (
        UPDATE slots SET booked = booked + 1 WHERE id = ${s.dose1SlotId}::bigint AND booked < capacity ${guard} RETURNING id
      ), d2 AS (
        UPDATE slots SET booked = booked + 1
        WHERE id = (SELECT id FROM slots WHERE campaign_id = ${s.campaignId}::text AND facility_id = ${s.facilityId}::int
                      AND date = ${s.dose2Date}::date AND vaccine_code = ${s.vaccineCode}::text AND dose = 2 AND booked < capacity
                    ORDER BY id LIMIT 1)
          AND booked < capacity AND EXISTS (SELECT 1 FROM d1)
        RETURNING id
      )`;
}

/**
 * The earliest-seat variant of `seatCtes`: `pick` locks the earliest free dose-1 slot at the facility
 * that has a free dose-2 seat `dose2IntervalDays` later. With FOR UPDATE under READ COMMITTED, a
 * row that fills while this statement waits for its lock fails the re-check and the next one in
 * date order is taken instead: concurrent requests spread over the free seats, none oversells
 * (`d1` re-checks `booked < capacity` as well) and none is refused while a seat is left.
 */
function earliestSeatCtes(at: EarliestSeat): RawBuilder<unknown> {
  const codes = at.vaccineCodes.join(',');
  return sql`pick AS (
        SELECT s.id FROM slots s
        WHERE s.campaign_id = ${at.campaignId}::text AND s.facility_id = ${at.facilityId}::int AND s.dose = 1
          AND s.date >= ${at.fromDate}::date AND s.vaccine_code = ANY (string_to_array(${codes}::text, ','))
          AND (s.rotation_group IS NULL OR s.rotation_group = ${at.rotationGroup}::int) AND s.booked < s.capacity
          AND EXISTS (SELECT 1 FROM slots s2 WHERE s2.campaign_id = s.campaign_id AND s2.facility_id = s.facility_id
                        AND s2.date = s.date + ${at.dose2IntervalDays}::int AND s2.vaccine_code = s.vaccine_code
                        AND s2.dose = 2 AND s2.booked < s2.capacity)
        ORDER BY s.date, s.id LIMIT 1
        FOR UPDATE OF s
      ), d1 AS (
        UPDATE slots SET booked = booked + 1 FROM pick WHERE slots.id = pick.id AND slots.booked < slots.capacity
        RETURNING slots.id, slots.date, slots.vaccine_code, slots.date + ${at.dose2IntervalDays}::int AS dose2_date
      ), d2 AS (
        UPDATE slots SET booked = booked + 1
        WHERE id = (SELECT s.id FROM slots s, d1 WHERE s.campaign_id = ${at.campaignId}::text AND s.facility_id = ${at.facilityId}::int
                      AND s.date = d1.dose2_date AND s.vaccine_code = d1.vaccine_code AND s.dose = 2 AND s.booked < s.capacity
                    ORDER BY s.id LIMIT 1)
          AND booked < capacity AND EXISTS (SELECT 1 FROM d1)
        RETURNING id
      )`;
}

const BOOKING_COLUMNS = sql`booking_number, campaign_id, campaign_version, person_id, requested_by_id, status, facility_id,
                              vaccine_code, dose1_slot_id, dose1_date, dose2_slot_id, dose2_date, idempotency_key, admission_id,
                              created_at, updated_at, cancelled_at`;

function insertBookingCte(b: NewBooking): RawBuilder<unknown> {
  return sql`INSERT INTO bookings (${BOOKING_COLUMNS})
        SELECT ${b.booking_number}::text, ${b.campaign_id}::text, ${b.campaign_version}::int, ${b.person_id}::bigint,
               ${b.requested_by_id}::bigint, ${b.status}::text, ${b.facility_id}::int, ${b.vaccine_code}::text, d1.id,
               ${b.dose1_date}::date, (SELECT id FROM d2), ${b.dose2_date}::date, ${b.idempotency_key}::text,
               ${b.admission_id ?? null}::text, ${new Date(b.created_at).toISOString()}::timestamptz,
               ${new Date(b.updated_at).toISOString()}::timestamptz, NULL
        FROM d1
        RETURNING *`;
}

/** The booking row of an earliest-seat write: facility from the request, slot, vaccine and dates from `d1`. */
function insertEarliestBookingCte(b: NewEarliestBooking, facilityId: number): RawBuilder<unknown> {
  return sql`INSERT INTO bookings (${BOOKING_COLUMNS})
        SELECT ${b.booking_number}::text, ${b.campaign_id}::text, ${b.campaign_version}::int, ${b.person_id}::bigint,
               ${b.requested_by_id}::bigint, ${b.status}::text, ${facilityId}::int, d1.vaccine_code, d1.id,
               d1.date, (SELECT id FROM d2), d1.dose2_date, ${b.idempotency_key}::text,
               ${b.admission_id ?? null}::text, ${new Date(b.created_at).toISOString()}::timestamptz,
               ${new Date(b.updated_at).toISOString()}::timestamptz, NULL
        FROM d1
        RETURNING *`;
}

function moveBookingCte(bookingId: number, s: SeatPair, dose1Date: string, at: string): RawBuilder<unknown> {
  return sql`UPDATE bookings SET facility_id = ${s.facilityId}::int, vaccine_code = ${s.vaccineCode}::text, dose1_slot_id = d1.id,
          dose1_date = ${dose1Date}::date, dose2_slot_id = (SELECT id FROM d2), dose2_date = ${s.dose2Date}::date, updated_at = ${at}::timestamptz
        FROM d1 WHERE bookings.id = ${bookingId}::bigint
        RETURNING bookings.*`;
}

/**
 * A booking and the seats it holds, with its outbox message, in ONE statement: one round trip and
 * atomic without BEGIN/COMMIT (on the path every admitted person takes). Outcomes:
 * - dose 1 full: no row is written (the booking and outbox parts select from an empty CTE);
 * - dose 1 taken, no dose-2 seat: the booking's dose2_slot_id is NULL, its NOT NULL constraint
 *   fails the statement, and the dose-1 seat goes back with it;
 * - a unique violation (second active booking, reused key or admission) or any other error: the
 *   statement fails as a whole, seats and outbox row included;
 * - a move of a booking that does not exist takes no seat and writes nothing (reported as
 *   slot-full; callers move a booking they hold locked, so it does not happen);
 * - an earliest-seat write with no free seat at the facility from its date on: slot-full.
 */
export async function writeBookingTakingSeats(db: DbOrTrx, w: SeatedWrite): Promise<SeatedWriteResult> {
  const at = new Date(w.message.nowMs).toISOString();
  const payload = JSON.stringify(w.message.payload);
  // The earliest-seat write learns its dates in the statement: its message text has marks for them.
  const payloadSql =
    w.kind === 'place-earliest'
      ? sql`replace(replace(${payload}::text, ${DOSE1_DATE_MARK}::text, to_char(b.dose1_date, 'YYYY-MM-DD')), ${DOSE2_DATE_MARK}::text, to_char(b.dose2_date, 'YYYY-MM-DD'))::jsonb`
      : sql`${payload}::jsonb`;
  const due = w.message.claimedUntilMs === undefined ? at : new Date(w.message.claimedUntilMs).toISOString();
  try {
    // A prepared statement on Postgres: the one statement every booking runs (see PREPARED).
    const r = await sql<BookingRow & { outbox_id: number }>`${sql.raw(PREPARED)}
      WITH ${seatsAndBookingOf(w, at)}, o AS (
        INSERT INTO outbox (booking_id, kind, payload, created_at, next_attempt_at)
        SELECT b.id, ${w.message.kind}::text, ${payloadSql}, ${at}::timestamptz, ${due}::timestamptz FROM b
        RETURNING id
      )
      SELECT b.*, (SELECT id FROM o) AS outbox_id FROM b`.execute(db);
    const row = r.rows[0];
    if (!row) return { ok: false, reason: 'slot-full' };
    const { outbox_id, ...booking } = row;
    return { ok: true, booking, message: writtenMessage(Number(outbox_id), w, payload, booking) };
  } catch (e) {
    if (isMissingDose2Seat(e)) return { ok: false, reason: 'dose2-unavailable' };
    const failure = FAILURE_OF_CONSTRAINT[uniqueViolation(e) ?? ''];
    if (failure) return { ok: false, reason: failure };
    throw e;
  }
}

/** The message as the statement wrote it: an earliest-seat write's dates filled in as its SQL did. */
function writtenMessage(id: number, w: SeatedWrite, payload: string, b: BookingRow): WrittenMessage {
  if (w.kind !== 'place-earliest') return { id, kind: w.message.kind, payload: w.message.payload };
  const text = payload.replaceAll(DOSE1_DATE_MARK, b.dose1_date).replaceAll(DOSE2_DATE_MARK, b.dose2_date);
  return { id, kind: w.message.kind, payload: JSON.parse(text) as OutboxPayload };
}

/** The CTEs that take the seats (`d1`, `d2`) and write the booking (`b`), for each kind of write. */
function seatsAndBookingOf(w: SeatedWrite, at: string): RawBuilder<unknown> {
  switch (w.kind) {
    case 'place': {
      const b = w.booking;
      const seats = {
        dose1SlotId: b.dose1_slot_id,
        campaignId: b.campaign_id,
        facilityId: b.facility_id,
        vaccineCode: b.vaccine_code,
        dose2Date: b.dose2_date,
      };
      return sql`${seatCtes(seats, sql``)}, b AS (${insertBookingCte(b)})`;
    }
    case 'place-earliest':
      return sql`${earliestSeatCtes(w.at)}, b AS (${insertEarliestBookingCte(w.booking, w.at.facilityId)})`;
    case 'move': {
      const guard = sql`AND EXISTS (SELECT 1 FROM bookings WHERE id = ${w.bookingId}::bigint)`;
      return sql`${seatCtes(w.seats, guard)}, b AS (${moveBookingCte(w.bookingId, w.seats, w.dose1Date, at)})`;
    }
  }
}

export async function findBookingByIdempotencyKey(
  db: DbOrTrx,
  requestedById: number,
  key: string,
): Promise<BookingRow | undefined> {
  return db
    .selectFrom('bookings')
    .selectAll()
    .where('requested_by_id', '=', requestedById)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

export async function findActiveBooking(
  db: DbOrTrx,
  campaignId: string,
  personId: number,
): Promise<BookingRow | undefined> {
  return db
    .selectFrom('bookings')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('person_id', '=', personId)
    .where('status', '=', 'active')
    .executeTakeFirst();
}

/** Bookings a verified identity may see: its own, and those it made for someone else. */
export async function findBookingsVisibleTo(db: DbOrTrx, personId: number): Promise<BookingRow[]> {
  return db
    .selectFrom('bookings')
    .selectAll()
    .where((eb) => eb.or([eb('person_id', '=', personId), eb('requested_by_id', '=', personId)]))
    .orderBy('created_at', 'desc')
    .limit(50)
    .execute();
}

function bookingForOwner(db: DbOrTrx, bookingNumber: string, personId: number) {
  return db
    .selectFrom('bookings')
    .selectAll()
    .where('booking_number', '=', bookingNumber)
    .where((eb) => eb.or([eb('person_id', '=', personId), eb('requested_by_id', '=', personId)]));
}

/** The booking row if `personId` may act on it (its own, or one it made for someone else). */
export async function findBookingForOwner(
  db: DbOrTrx,
  bookingNumber: string,
  personId: number,
): Promise<BookingRow | undefined> {
  return bookingForOwner(db, bookingNumber, personId).executeTakeFirst();
}

/** Locks the booking row for a change or cancellation (FOR UPDATE) if `personId` may act on it. */
export async function lockBookingForOwner(
  db: DbOrTrx,
  bookingNumber: string,
  personId: number,
): Promise<BookingRow | undefined> {
  return bookingForOwner(db, bookingNumber, personId).forUpdate().executeTakeFirst();
}

export async function markBookingCancelled(db: DbOrTrx, id: number, nowMs: number): Promise<BookingRow> {
  const at = new Date(nowMs);
  return db
    .updateTable('bookings')
    .set({ status: 'cancelled', cancelled_at: at, updated_at: at })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertOutboxMessage(db: DbOrTrx, bookingId: number, m: OutboxMessage): Promise<void> {
  const at = new Date(m.nowMs);
  await db
    .insertInto('outbox')
    .values({
      booking_id: bookingId,
      kind: m.kind,
      payload: JSON.stringify(m.payload),
      created_at: at,
      next_attempt_at: at,
    })
    .execute();
}
