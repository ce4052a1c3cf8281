/**
 * The booking store in memory, for the unit tier: the same contract as the Kysely adapter
 * (test/contracts/booking-repository.contract.ts), with the database's guarantees emulated:
 * - capacity: a seat is taken only while `booked < capacity`;
 * - the uniqueness rules (one active booking per person and campaign, one per requester and
 *   idempotency key, one per admission, one per booking number);
 * - atomicity: a seated write changes everything or nothing; `transact` runs one transaction at a
 *   time and restores the state it started from when its function throws;
 * - isolation: every pool call waits for the open transaction, as a locked row makes a writer wait
 *   on Postgres. A pool call made from inside a transaction therefore waits forever, as it does on
 *   PGlite's single connection: use the transaction's store.
 */
import type { PersonRow } from '../people/people.table.ts';
import type { FacilityRow } from '../facilities/facilities.table.ts';
import type { BookingRow, OutboxRow, SlotRow } from './booking.table.ts';
import type { BookingStore, BookingStores, OutboxMessage, SeatedWrite, SeatedWriteResult, SeatPair } from './booking.store.ts';

export interface MemoryBookingState {
  slots: Map<number, SlotRow>;
  bookings: Map<number, BookingRow>;
  outbox: OutboxRow[];
  people: Map<number, PersonRow>;
  facilities: Map<number, FacilityRow>;
  nextId: number;
}

export type MemoryBookingStores = BookingStores & {
  /** Rows as committed (copies); for tests to assert the resulting state. */
  snapshot(): MemoryBookingState;
  addPeople(rows: Omit<PersonRow, 'id'>[]): PersonRow[];
  addFacility(row: Omit<FacilityRow, 'id'>): FacilityRow;
  addSlots(rows: Omit<SlotRow, 'id' | 'booked'>[]): SlotRow[];
};

export function memoryBookingStores(): MemoryBookingStores {
  let state: MemoryBookingState = { slots: new Map(), bookings: new Map(), outbox: [], people: new Map(), facilities: new Map(), nextId: 1 };
  let queue: Promise<unknown> = Promise.resolve();
  /** Runs `fn` after everything queued before it: one transaction (or pool call) at a time. */
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  }
  const store = boundTo(() => state);
  const pool = Object.fromEntries(Object.entries(store).map(([name, op]) =>
    [name, (...args: unknown[]) => exclusive(() => (op as (...a: unknown[]) => Promise<unknown>)(...args))])) as unknown as BookingStore;
  const add = <R extends { id: number }>(map: Map<number, R>, row: Omit<R, 'id'>): R => {
    const r = { ...row, id: state.nextId++ } as R;
    map.set(r.id, r);
    return structuredClone(r);
  };

  return {
    ...pool,
    transact: (fn) => exclusive(async () => {
      const before = structuredClone(state);
      try {
        return await fn(store);
      } catch (e) {
        state = before;
        throw e;
      }
    }),
    snapshot: () => structuredClone(state),
    addPeople: (rows) => rows.map((r) => add(state.people, r)),
    addFacility: (row) => add(state.facilities, row),
    addSlots: (rows) => rows.map((r) => add(state.slots, { ...r, booked: 0 })),
  };
}

/** The operations on whatever state is current (read at each call, so a rollback is seen). */
function boundTo(current: () => MemoryBookingState): BookingStore {
  const copy = <T>(row: T | undefined): T | undefined => (row === undefined ? undefined : structuredClone(row));
  const mayActOn = (b: BookingRow, personId: number) => b.person_id === personId || b.requested_by_id === personId;
  return {
    findSlot: async (id) => copy(current().slots.get(id)),
    findPerson: async (id) => copy(current().people.get(id)),
    findFacility: async (id) => copy(current().facilities.get(id)),
    writeBookingTakingSeats: async (w) => writeTakingSeats(current(), w),
    releaseSeat: async (id) => {
      const slot = current().slots.get(id);
      if (slot && slot.booked > 0) slot.booked -= 1;
    },
    findBookingByIdempotencyKey: async (requestedById, key) =>
      copy([...current().bookings.values()].find((b) => b.requested_by_id === requestedById && b.idempotency_key === key)),
    findBookingsVisibleTo: async (personId) => [...current().bookings.values()].filter((b) => mayActOn(b, personId))
      .sort((a, b) => +new Date(b.created_at) - +new Date(a.created_at)).slice(0, 50).map((b) => structuredClone(b)),
    lockBookingForOwner: async (bookingNumber, personId) =>
      copy([...current().bookings.values()].find((b) => b.booking_number === bookingNumber && mayActOn(b, personId))),
    markBookingCancelled: async (id, nowMs) => {
      const b = current().bookings.get(id);
      if (!b) throw new Error(`no booking ${id}`);
      Object.assign(b, { status: 'cancelled', cancelled_at: new Date(nowMs), updated_at: new Date(nowMs) });
      return structuredClone(b);
    },
    insertOutboxMessage: async (bookingId, m) => { insertOutbox(current(), bookingId, m); },
  };
}

/** The seats a write would take, checked in the database's order: dose 1, then dose 2. */
function freeSeats(s: MemoryBookingState, p: SeatPair): { dose1: SlotRow; dose2: SlotRow } | 'slot-full' | 'dose2-unavailable' {
  const dose1 = s.slots.get(p.dose1SlotId);
  if (!dose1 || dose1.booked >= dose1.capacity) return 'slot-full';
  const dose2 = [...s.slots.values()].filter((x) => x.campaign_id === p.campaignId && x.facility_id === p.facilityId && x.date === p.dose2Date
    && x.vaccine_code === p.vaccineCode && x.dose === 2 && x.booked < x.capacity).sort((a, b) => a.id - b.id)[0];
  return dose2 ? { dose1, dose2 } : 'dose2-unavailable';
}

function writeTakingSeats(s: MemoryBookingState, w: SeatedWrite): SeatedWriteResult {
  const pair = w.kind === 'place'
    ? { dose1SlotId: w.booking.dose1_slot_id, campaignId: w.booking.campaign_id, facilityId: w.booking.facility_id, vaccineCode: w.booking.vaccine_code, dose2Date: w.booking.dose2_date }
    : w.seats;
  const seats = freeSeats(s, pair);
  if (typeof seats === 'string') return { ok: false, reason: seats };
  let booking: BookingRow;
  if (w.kind === 'place') {
    const others = [...s.bookings.values()];
    const b = w.booking;
    if (others.some((o) => o.booking_number === b.booking_number)) throw new Error('duplicate key value violates unique constraint "bookings_booking_number_key"');
    if (others.some((o) => o.status === 'active' && b.status === 'active' && o.campaign_id === b.campaign_id && o.person_id === b.person_id)) return { ok: false, reason: 'already-booked' };
    if (others.some((o) => o.requested_by_id === b.requested_by_id && o.idempotency_key === b.idempotency_key)) return { ok: false, reason: 'idempotency-key-used' };
    if (b.admission_id !== null && others.some((o) => o.admission_id === b.admission_id)) return { ok: false, reason: 'admission-used' };
    booking = { ...b, id: s.nextId++, dose2_slot_id: seats.dose2.id, created_at: new Date(b.created_at), updated_at: new Date(b.updated_at) };
    s.bookings.set(booking.id, booking);
  } else {
    const existing = s.bookings.get(w.bookingId);
    if (!existing) return { ok: false, reason: 'slot-full' };
    booking = Object.assign(existing, {
      facility_id: w.seats.facilityId, vaccine_code: w.seats.vaccineCode, dose1_slot_id: seats.dose1.id, dose1_date: w.dose1Date,
      dose2_slot_id: seats.dose2.id, dose2_date: w.seats.dose2Date, updated_at: new Date(w.message.nowMs),
    });
  }
  seats.dose1.booked += 1;
  seats.dose2.booked += 1;
  insertOutbox(s, booking.id, w.message);
  return { ok: true, booking: structuredClone(booking) };
}

function insertOutbox(s: MemoryBookingState, bookingId: number, m: OutboxMessage): void {
  const at = new Date(m.nowMs);
  s.outbox.push({ id: s.nextId++, booking_id: bookingId, kind: m.kind, payload: structuredClone(m.payload), created_at: at, attempts: 0, next_attempt_at: at, sent_at: null, failed_at: null, last_error: null });
}
