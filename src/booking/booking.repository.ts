/**
 * Bookings and their outbox rows on Postgres / PGlite. The service decides where a transaction
 * starts (see kysely-booking-store.ts, which binds these to the pool or a transaction).
 */
import { CompiledQuery } from 'kysely';
import { PREPARED, type DbOrTrx } from '../platform/db.ts';
import { uniqueViolation } from '../platform/db-errors.ts';
import type { BookingRow, OutboxPayload } from './booking.table.ts';
import {
  DOSE1_DATE_MARK,
  DOSE2_DATE_MARK,
  type OutboxMessage,
  type SeatedWrite,
  type SeatedWriteFailure,
  type SeatedWriteResult,
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

/*
 * The seat-taking statement, one text per kind of write, written out once: a call only binds its
 * values (no query building or compiling per booking), and on Postgres each text is a named prepared
 * statement (PREPARED). The parts every kind shares:
 * - `d1` takes the dose-1 seat and `d2` a dose-2 seat at the same facility on the dose-2 date, only if
 *   `d1` did; each is a conditional UPDATE that re-checks `booked < capacity` under the row lock, so
 *   nothing can oversell;
 * - `b` writes the booking (new, or moved), `o` its outbox message.
 * A new booking returns only what the database chose (ids, and an earliest-seat write's seat and
 * dates): the rest of its row is what the caller wrote.
 */
const SEATS = `d1 AS (
    UPDATE slots SET booked = booked + 1 WHERE id = $1::bigint AND booked < capacity %GUARD% RETURNING id
  ), d2 AS (
    UPDATE slots SET booked = booked + 1
    WHERE id = (SELECT id FROM slots WHERE campaign_id = $2::text AND facility_id = $3::int
                  AND date = $4::date AND vaccine_code = $5::text AND dose = 2 AND booked < capacity
                ORDER BY id LIMIT 1)
      AND booked < capacity AND EXISTS (SELECT 1 FROM d1)
    RETURNING id
  )`;

const BOOKING_COLUMNS = `booking_number, campaign_id, campaign_version, person_id, requested_by_id, status, facility_id,
    vaccine_code, dose1_slot_id, dose1_date, dose2_slot_id, dose2_date, idempotency_key, admission_id,
    created_at, updated_at, cancelled_at`;

/** The outbox CTE and the final SELECT; `$k`, `$p`, `$a`, `$d`: kind, payload (jsonb), created_at, next_attempt_at. */
const outboxAndResult = (payload: string, k: number, a: number, d: number, returned: string) => `, o AS (
    INSERT INTO outbox (booking_id, kind, payload, created_at, next_attempt_at)
    SELECT b.id, $${k}::text, ${payload}, $${a}::timestamptz, $${d}::timestamptz FROM b
    RETURNING id
  )
  SELECT ${returned}, (SELECT id FROM o) AS outbox_id FROM b`;

/** $1-$5 seats, $6-$15 the booking, $16-$19 its message. */
const PLACE_TEXT = `${PREPARED}WITH ${SEATS.replace('%GUARD%', '')}, b AS (
    INSERT INTO bookings (${BOOKING_COLUMNS})
    SELECT $6::text, $2::text, $7::int, $8::bigint, $9::bigint, $10::text, $3::int, $5::text, d1.id,
           $11::date, (SELECT id FROM d2), $4::date, $12::text, $13::text, $14::timestamptz, $15::timestamptz, NULL
    FROM d1
    RETURNING id, dose2_slot_id
  )${outboxAndResult('$17::jsonb', 16, 18, 19, 'b.id, b.dose2_slot_id')}`;

/**
 * $1-$6 where to look ($4: vaccine codes joined by ','), $7-$15 the booking, $16-$19 its message,
 * $20/$21 the date marks in the message text. `pick` locks the earliest free dose-1 slot at the
 * facility that has a free dose-2 seat `$6` days later. With FOR UPDATE under READ COMMITTED, a row
 * that fills while this statement waits for its lock fails the re-check and the next one in date
 * order is taken instead: concurrent requests spread over the free seats, none oversells (`d1`
 * re-checks `booked < capacity` as well) and none is refused while a seat is left.
 */
const PLACE_EARLIEST_TEXT = `${PREPARED}WITH pick AS (
    SELECT s.id FROM slots s
    WHERE s.campaign_id = $1::text AND s.facility_id = $2::int AND s.dose = 1
      AND s.date >= $3::date AND s.vaccine_code = ANY (string_to_array($4::text, ','))
      AND (s.rotation_group IS NULL OR s.rotation_group = $5::int) AND s.booked < s.capacity
      AND EXISTS (SELECT 1 FROM slots s2 WHERE s2.campaign_id = s.campaign_id AND s2.facility_id = s.facility_id
                    AND s2.date = s.date + $6::int AND s2.vaccine_code = s.vaccine_code
                    AND s2.dose = 2 AND s2.booked < s2.capacity)
    ORDER BY s.date, s.id LIMIT 1
    FOR UPDATE OF s
  ), d1 AS (
    UPDATE slots SET booked = booked + 1 FROM pick WHERE slots.id = pick.id AND slots.booked < slots.capacity
    RETURNING slots.id, slots.date, slots.vaccine_code, slots.date + $6::int AS dose2_date
  ), d2 AS (
    UPDATE slots SET booked = booked + 1
    WHERE id = (SELECT s.id FROM slots s, d1 WHERE s.campaign_id = $1::text AND s.facility_id = $2::int
                  AND s.date = d1.dose2_date AND s.vaccine_code = d1.vaccine_code AND s.dose = 2 AND s.booked < s.capacity
                ORDER BY s.id LIMIT 1)
      AND booked < capacity AND EXISTS (SELECT 1 FROM d1)
    RETURNING id
  ), b AS (
    INSERT INTO bookings (${BOOKING_COLUMNS})
    SELECT $7::text, $1::text, $8::int, $9::bigint, $10::bigint, $11::text, $2::int, d1.vaccine_code, d1.id,
           d1.date, (SELECT id FROM d2), d1.dose2_date, $12::text, $13::text, $14::timestamptz, $15::timestamptz, NULL
    FROM d1
    RETURNING id, dose1_slot_id, dose2_slot_id, vaccine_code, dose1_date, dose2_date
  )${outboxAndResult(
    `replace(replace($17::text, $20::text, to_char(b.dose1_date, 'YYYY-MM-DD')), $21::text, to_char(b.dose2_date, 'YYYY-MM-DD'))::jsonb`,
    16,
    18,
    19,
    'b.id, b.dose1_slot_id, b.dose2_slot_id, b.vaccine_code, b.dose1_date, b.dose2_date',
  )}`;

/** $1-$5 seats, $6 the booking moved, $7 its dose-1 date, $8 now, $9-$11 its message. */
const MOVE_TEXT = `${PREPARED}WITH ${SEATS.replace('%GUARD%', 'AND EXISTS (SELECT 1 FROM bookings WHERE id = $6::bigint)')}, b AS (
    UPDATE bookings SET facility_id = $3::int, vaccine_code = $5::text, dose1_slot_id = d1.id,
      dose1_date = $7::date, dose2_slot_id = (SELECT id FROM d2), dose2_date = $4::date, updated_at = $8::timestamptz
    FROM d1 WHERE bookings.id = $6::bigint
    RETURNING bookings.*
  )${outboxAndResult('$10::jsonb', 9, 8, 11, 'b.*')}`;

type WriteRow = Partial<BookingRow> & { id: number; dose2_slot_id: number; outbox_id: number };

/** The text and values of a seated write. */
function statementOf(w: SeatedWrite, { at, payload, due }: Bound): CompiledQuery<WriteRow> {
  const message = [w.message.kind, payload, at, due];
  switch (w.kind) {
    case 'place': {
      const b = w.booking;
      return CompiledQuery.raw(PLACE_TEXT, [
        ...[b.dose1_slot_id, b.campaign_id, b.facility_id, b.dose2_date, b.vaccine_code],
        ...[b.booking_number, b.campaign_version, b.person_id, b.requested_by_id, b.status, b.dose1_date],
        ...[b.idempotency_key, b.admission_id ?? null, iso(b.created_at), iso(b.updated_at)],
        ...message,
      ]) as CompiledQuery<WriteRow>;
    }
    case 'place-earliest': {
      const { at: e, booking: b } = w;
      return CompiledQuery.raw(PLACE_EARLIEST_TEXT, [
        ...[e.campaignId, e.facilityId, e.fromDate, e.vaccineCodes.join(','), e.rotationGroup, e.dose2IntervalDays],
        ...[b.booking_number, b.campaign_version, b.person_id, b.requested_by_id, b.status, b.idempotency_key],
        ...[b.admission_id ?? null, iso(b.created_at), iso(b.updated_at)],
        ...message,
        ...[DOSE1_DATE_MARK, DOSE2_DATE_MARK],
      ]) as CompiledQuery<WriteRow>;
    }
    case 'move': {
      const s = w.seats;
      return CompiledQuery.raw(MOVE_TEXT, [
        ...[s.dose1SlotId, s.campaignId, s.facilityId, s.dose2Date, s.vaccineCode, w.bookingId, w.dose1Date, at],
        ...[w.message.kind, payload, due],
      ]) as CompiledQuery<WriteRow>;
    }
  }
}

const iso = (t: Date | string) => new Date(t).toISOString();

/** The booking row as written: a new booking is what the caller wrote plus what the statement chose. */
function bookingOf(w: SeatedWrite, row: Omit<WriteRow, 'outbox_id'>): BookingRow {
  switch (w.kind) {
    case 'place':
      return { ...w.booking, id: row.id, dose2_slot_id: row.dose2_slot_id };
    case 'place-earliest':
      return {
        ...w.booking,
        id: row.id,
        facility_id: w.at.facilityId,
        vaccine_code: row.vaccine_code!,
        dose1_slot_id: row.dose1_slot_id!,
        dose1_date: row.dose1_date!,
        dose2_slot_id: row.dose2_slot_id,
        dose2_date: row.dose2_date!,
      };
    case 'move':
      return row as BookingRow;
  }
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
  const bound = bind(w);
  try {
    const r = await db.executeQuery(statementOf(w, bound));
    const row = r.rows[0];
    if (!row) return { ok: false, reason: 'slot-full' };
    return written(w, bound, row);
  } catch (e) {
    const failure = failureOf(e);
    if (failure) return { ok: false, reason: failure };
    throw e;
  }
}

/** A refusal an error means: no dose-2 seat, or a named uniqueness rule; undefined for any other error. */
function failureOf(e: unknown): SeatedWriteFailure | undefined {
  if (isMissingDose2Seat(e)) return 'dose2-unavailable';
  return FAILURE_OF_CONSTRAINT[uniqueViolation(e) ?? ''];
}

/** What a write binds besides its booking: its time, its message's text and when that message is due. */
interface Bound {
  at: string;
  payload: string;
  due: string;
}

function bind(w: SeatedWrite): Bound {
  const at = new Date(w.message.nowMs).toISOString();
  const payload = JSON.stringify(w.message.payload);
  const due = w.message.claimedUntilMs === undefined ? at : new Date(w.message.claimedUntilMs).toISOString();
  return { at, payload, due };
}

function written(w: SeatedWrite, bound: Bound, row: WriteRow): SeatedWriteResult {
  const { outbox_id, ...rest } = row;
  const booking = bookingOf(w, rest);
  return { ok: true, booking, message: writtenMessage(Number(outbox_id), w, bound.payload, booking) };
}

/** A new booking: what `writeNewBookingsTakingSeats` takes. Moves run inside their transaction, alone. */
export type NewBookingWrite = Extract<SeatedWrite, { kind: 'place' | 'place-earliest' }>;

/**
 * One write's outcome in a batch: its result; `alone` when it failed with an error that is not a
 * refusal (nothing of it was written; the caller runs it again alone to get the error the single
 * statement gives, or its result if the error was passing, e.g. a deadlock); or `failed` when a lock
 * wait ran out (55P03): run again alone it would wait out lock_timeout a second time, so its caller
 * gets the error a lone write gets after its wait (a 503 at the HTTP edge) at once (migration 0011).
 */
export type BatchedWriteOutcome = SeatedWriteResult | { alone: true } | { failed: BatchLockTimeout };

/** A write of a batch met a lock it could not get within lock_timeout: the single statement's error, by its SQLSTATE. */
export class BatchLockTimeout extends Error {
  readonly code = '55P03';
  constructor() {
    super('canceling statement due to lock timeout (a booking batch)');
    this.name = 'BatchLockTimeout';
  }
}

interface BatchRow {
  nth: number;
  outcome: 'ok' | 'slot-full' | 'error';
  booking_id: number | null;
  dose1_slot_id: number | null;
  dose2_slot_id: number | null;
  vaccine_code: string | null;
  dose1_date: string | null;
  dose2_date: string | null;
  outbox_id: number | null;
  err_state: string | null;
  err_constraint: string | null;
  err_column: string | null;
}

const BATCH_TEXT = `${PREPARED}SELECT * FROM write_bookings_taking_seats($1::jsonb)`;

/**
 * The order a batch's writes run in: chosen-slot writes by dose-1 slot id (arrival order among those
 * of one slot), then earliest-seat writes in arrival order. A batch holds every seat it took until
 * it commits; two batches that took dose-1 seats in opposite orders could each wait for the other
 * (a deadlock, which Postgres breaks after deadlock_timeout). Taking them in one order everywhere
 * leaves only rarer cycles (through a shared dose-2 slot, or an earliest-seat pick).
 */
function runOrder(writes: readonly NewBookingWrite[]): number[] {
  const key = (w: NewBookingWrite) => (w.kind === 'place' ? w.booking.dose1_slot_id : Number.MAX_SAFE_INTEGER);
  return writes.map((_, k) => k).sort((a, b) => key(writes[a]!) - key(writes[b]!) || a - b);
}

/**
 * New bookings written together: ONE call of `write_bookings_taking_seats` (migration 0010), one
 * round trip and one transaction, the writes in `runOrder`. Each write keeps its own outcome, as if
 * it had been the single statement: a refusal or error undoes that write alone. Outcomes come back
 * in the order of `writes`. Throws (nothing written) when the call as a whole failed: a lost
 * connection, a statement timeout.
 */
export async function writeNewBookingsTakingSeats(
  db: DbOrTrx,
  writes: readonly NewBookingWrite[],
): Promise<BatchedWriteOutcome[]> {
  const order = runOrder(writes);
  const bounds = writes.map(bind);
  const elements = order.map((k) => [writes[k]!.kind, ...statementOf(writes[k]!, bounds[k]!).parameters]);
  const r = await db.executeQuery<BatchRow>(CompiledQuery.raw(BATCH_TEXT, [JSON.stringify(elements)]));
  if (r.rows.length !== writes.length)
    throw new Error(`booking batch: ${r.rows.length} rows for ${writes.length} writes`);
  const rows: BatchRow[] = new Array<BatchRow>(writes.length);
  for (const row of r.rows) rows[order[row.nth - 1]!] = row;
  return rows.map((row, k): BatchedWriteOutcome => {
    const w = writes[k]!;
    if (row.outcome === 'slot-full') return { ok: false, reason: 'slot-full' };
    if (row.outcome === 'error') {
      if (row.err_state === '55P03') return { failed: new BatchLockTimeout() };
      const failure = failureOf({ code: row.err_state, constraint: row.err_constraint, column: row.err_column });
      return failure ? { ok: false, reason: failure } : { alone: true };
    }
    return written(w, bounds[k]!, {
      id: Number(row.booking_id),
      dose2_slot_id: Number(row.dose2_slot_id),
      outbox_id: Number(row.outbox_id),
      ...(w.kind === 'place-earliest'
        ? {
            dose1_slot_id: Number(row.dose1_slot_id),
            vaccine_code: row.vaccine_code!,
            dose1_date: row.dose1_date!,
            dose2_date: row.dose2_date!,
          }
        : {}),
    });
  });
}

/** The message as the statement wrote it: an earliest-seat write's dates filled in as its SQL did. */
function writtenMessage(id: number, w: SeatedWrite, payload: string, b: BookingRow): WrittenMessage {
  if (w.kind !== 'place-earliest') return { id, kind: w.message.kind, payload: w.message.payload };
  const text = payload.replaceAll(DOSE1_DATE_MARK, b.dose1_date).replaceAll(DOSE2_DATE_MARK, b.dose2_date);
  return { id, kind: w.message.kind, payload: JSON.parse(text) as OutboxPayload };
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
