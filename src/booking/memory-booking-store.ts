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
import {
  DOSE1_DATE_MARK,
  DOSE2_DATE_MARK,
  type AlternativeSlot,
  type AlternativesQuery,
  type BookingStore,
  type BookingStores,
  type EarliestSeat,
  type OutboxMessage,
  type SeatedWrite,
  type SeatedWriteResult,
  type SeatPair,
  type WrittenMessage,
} from './booking.store.ts';
import { dose2DateFor } from './booking-rules.ts';

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
  /** `address_en` defaults to '' (not known), as the column does. */
  addFacility(row: Omit<FacilityRow, 'id' | 'address_en'> & { address_en?: string }): FacilityRow;
  addSlots(rows: Omit<SlotRow, 'id' | 'booked'>[]): SlotRow[];
};

export function memoryBookingStores(): MemoryBookingStores {
  let state: MemoryBookingState = {
    slots: new Map(),
    bookings: new Map(),
    outbox: [],
    people: new Map(),
    facilities: new Map(),
    nextId: 1,
  };
  let queue: Promise<unknown> = Promise.resolve();
  /** Runs `fn` after everything queued before it: one transaction (or pool call) at a time. */
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  }
  const store = boundTo(() => state);
  const pool = Object.fromEntries(
    Object.entries(store).map(([name, op]) => [
      name,
      (...args: unknown[]) => exclusive(() => (op as (...a: unknown[]) => Promise<unknown>)(...args)),
    ]),
  ) as unknown as BookingStore;
  const add = <R extends { id: number }>(map: Map<number, R>, row: Omit<R, 'id'>): R => {
    const r = { ...row, id: state.nextId++ } as R;
    map.set(r.id, r);
    return structuredClone(r);
  };

  return {
    ...pool,
    transact: (fn) =>
      exclusive(async () => {
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
    addFacility: (row) => add(state.facilities, { address_en: '', ...row }),
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
    findAlternativeSlots: async (q) => alternativeSlots(current(), q),
    releaseSeat: async (id) => {
      const slot = current().slots.get(id);
      if (slot && slot.booked > 0) slot.booked -= 1;
    },
    findBookingByIdempotencyKey: async (requestedById, key) =>
      copy(
        [...current().bookings.values()].find((b) => b.requested_by_id === requestedById && b.idempotency_key === key),
      ),
    findBookingsVisibleTo: async (personId) =>
      [...current().bookings.values()]
        .filter((b) => mayActOn(b, personId))
        .sort((a, b) => +new Date(b.created_at) - +new Date(a.created_at))
        .slice(0, 50)
        .map((b) => structuredClone(b)),
    findBookingForOwner: async (bookingNumber, personId) =>
      copy([...current().bookings.values()].find((b) => b.booking_number === bookingNumber && mayActOn(b, personId))),
    lockBookingForOwner: async (bookingNumber, personId) =>
      copy([...current().bookings.values()].find((b) => b.booking_number === bookingNumber && mayActOn(b, personId))),
    markBookingCancelled: async (id, nowMs) => {
      const b = current().bookings.get(id);
      if (!b) throw new Error(`no booking ${id}`);
      Object.assign(b, { status: 'cancelled', cancelled_at: new Date(nowMs), updated_at: new Date(nowMs) });
      return structuredClone(b);
    },
    insertOutboxMessage: async (bookingId, m) => {
      insertOutbox(current(), bookingId, m);
    },
  };
}

/** The seats a write would take, checked in the database's order: dose 1, then dose 2. */
function freeSeats(
  s: MemoryBookingState,
  p: SeatPair,
): { dose1: SlotRow; dose2: SlotRow } | 'slot-full' | 'dose2-unavailable' {
  const dose1 = s.slots.get(p.dose1SlotId);
  if (!dose1 || dose1.booked >= dose1.capacity) return 'slot-full';
  const dose2 = [...s.slots.values()]
    .filter(
      (x) =>
        x.campaign_id === p.campaignId &&
        x.facility_id === p.facilityId &&
        x.date === p.dose2Date &&
        x.vaccine_code === p.vaccineCode &&
        x.dose === 2 &&
        x.booked < x.capacity,
    )
    .sort((a, b) => a.id - b.id)[0];
  return dose2 ? { dose1, dose2 } : 'dose2-unavailable';
}

/** The earliest free dose-1 slot at the facility with a free dose-2 seat, as the SQL `pick` chooses it. */
function earliestSeat(s: MemoryBookingState, at: EarliestSeat): SlotRow | undefined {
  const fits = (x: SlotRow) =>
    x.campaign_id === at.campaignId &&
    x.facility_id === at.facilityId &&
    x.dose === 1 &&
    x.date >= at.fromDate &&
    at.vaccineCodes.includes(x.vaccine_code) &&
    (x.rotation_group === null || x.rotation_group === at.rotationGroup) &&
    x.booked < x.capacity;
  const hasDose2 = (x: SlotRow) =>
    [...s.slots.values()].some(
      (y) =>
        y.campaign_id === x.campaign_id &&
        y.facility_id === x.facility_id &&
        y.date === dose2DateFor(x.date, at.dose2IntervalDays) &&
        y.vaccine_code === x.vaccine_code &&
        y.dose === 2 &&
        y.booked < y.capacity,
    );
  return [...s.slots.values()]
    .filter((x) => fits(x) && hasDose2(x))
    .sort((a, b) => a.date.localeCompare(b.date) || a.id - b.id)[0];
}

/** An earliest-seat write as the place write of the slot it picks, dates filled into its message. */
function resolveEarliest(
  s: MemoryBookingState,
  w: Extract<SeatedWrite, { kind: 'place-earliest' }>,
): Extract<SeatedWrite, { kind: 'place' }> | undefined {
  const slot = earliestSeat(s, w.at);
  if (!slot) return undefined;
  const dose2Date = dose2DateFor(slot.date, w.at.dose2IntervalDays);
  const text = JSON.stringify(w.message.payload)
    .replaceAll(DOSE1_DATE_MARK, slot.date)
    .replaceAll(DOSE2_DATE_MARK, dose2Date);
  return {
    kind: 'place',
    message: { ...w.message, payload: JSON.parse(text) },
    booking: {
      ...w.booking,
      facility_id: slot.facility_id,
      vaccine_code: slot.vaccine_code,
      dose1_slot_id: slot.id,
      dose1_date: slot.date,
      dose2_date: dose2Date,
    },
  };
}

function writeTakingSeats(s: MemoryBookingState, write: SeatedWrite): SeatedWriteResult {
  const w = write.kind === 'place-earliest' ? resolveEarliest(s, write) : write;
  if (!w) return { ok: false, reason: 'slot-full' };
  const pair =
    w.kind === 'place'
      ? {
          dose1SlotId: w.booking.dose1_slot_id,
          campaignId: w.booking.campaign_id,
          facilityId: w.booking.facility_id,
          vaccineCode: w.booking.vaccine_code,
          dose2Date: w.booking.dose2_date,
        }
      : w.seats;
  const seats = freeSeats(s, pair);
  if (typeof seats === 'string') return { ok: false, reason: seats };
  let booking: BookingRow;
  if (w.kind === 'place') {
    const others = [...s.bookings.values()];
    const b = w.booking;
    if (others.some((o) => o.booking_number === b.booking_number))
      throw new Error('duplicate key value violates unique constraint "bookings_booking_number_key"');
    if (
      others.some(
        (o) =>
          o.status === 'active' &&
          b.status === 'active' &&
          o.campaign_id === b.campaign_id &&
          o.person_id === b.person_id,
      )
    )
      return { ok: false, reason: 'already-booked' };
    if (others.some((o) => o.requested_by_id === b.requested_by_id && o.idempotency_key === b.idempotency_key))
      return { ok: false, reason: 'idempotency-key-used' };
    if (b.admission_id !== null && others.some((o) => o.admission_id === b.admission_id))
      return { ok: false, reason: 'admission-used' };
    booking = {
      ...b,
      id: s.nextId++,
      dose2_slot_id: seats.dose2.id,
      created_at: new Date(b.created_at),
      updated_at: new Date(b.updated_at),
    };
    s.bookings.set(booking.id, booking);
  } else {
    const existing = s.bookings.get(w.bookingId);
    if (!existing) return { ok: false, reason: 'slot-full' };
    booking = Object.assign(existing, {
      facility_id: w.seats.facilityId,
      vaccine_code: w.seats.vaccineCode,
      dose1_slot_id: seats.dose1.id,
      dose1_date: w.dose1Date,
      dose2_slot_id: seats.dose2.id,
      dose2_date: w.seats.dose2Date,
      updated_at: new Date(w.message.nowMs),
    });
  }
  seats.dose1.booked += 1;
  seats.dose2.booked += 1;
  const message = insertOutbox(s, booking.id, w.message);
  return { ok: true, booking: structuredClone(booking), message };
}

function insertOutbox(s: MemoryBookingState, bookingId: number, m: OutboxMessage): WrittenMessage {
  const at = new Date(m.nowMs);
  const id = s.nextId++;
  s.outbox.push({
    id,
    booking_id: bookingId,
    notice_key: null,
    kind: m.kind,
    payload: structuredClone(m.payload),
    created_at: at,
    attempts: 0,
    next_attempt_at: m.claimedUntilMs === undefined ? at : new Date(m.claimedUntilMs),
    sent_at: null,
    failed_at: null,
    last_error: null,
  });
  return { id, kind: m.kind, payload: structuredClone(m.payload) };
}

/** The alternatives query of slot.repository.ts, on the in-memory rows (same order, same limits). */
function alternativeSlots(s: MemoryBookingState, q: AlternativesQuery): AlternativeSlot[] {
  const fits = (x: SlotRow) =>
    x.campaign_id === q.campaignId &&
    x.dose === 1 &&
    x.booked < x.capacity &&
    x.date >= q.fromDate &&
    q.vaccineCodes.includes(x.vaccine_code) &&
    (x.rotation_group === null || x.rotation_group === q.rotationGroup);
  const withFacility = [...s.slots.values()].filter(fits).flatMap((x) => {
    const f = s.facilities.get(x.facility_id);
    return f ? [{ x, f }] : [];
  });
  const daysApart = (d: string) => Math.abs(Date.parse(d) - Date.parse(q.date));
  const sameFacility = withFacility
    .filter(({ x }) => x.facility_id === q.facilityId && x.date !== q.date)
    .sort((a, b) => daysApart(a.x.date) - daysApart(b.x.date) || a.x.date.localeCompare(b.x.date) || a.x.id - b.x.id);
  const fill = (x: SlotRow) => x.booked / Math.max(x.capacity, 1);
  const nearby = withFacility
    .filter(({ x, f }) => x.date === q.date && x.facility_id !== q.facilityId && f.region_code === q.regionCode)
    .sort(
      (a, b) =>
        Number(b.f.district_code === q.districtCode) - Number(a.f.district_code === q.districtCode) ||
        fill(a.x) - fill(b.x) ||
        a.f.code.localeCompare(b.f.code) ||
        a.x.id - b.x.id,
    );
  return [...sameFacility.slice(0, q.perKind), ...nearby.slice(0, q.perKind)].map(({ x, f }) => ({
    slotId: x.id,
    date: x.date,
    vaccineCode: x.vaccine_code,
    rotationGroup: x.rotation_group,
    free: x.capacity - x.booked,
    facilityId: f.id,
    facilityCode: f.code,
    nameKo: f.name_ko,
    nameEn: f.name_en,
    regionCode: f.region_code,
    districtCode: f.district_code,
    address: f.address,
    addressEn: f.address_en,
  }));
}
