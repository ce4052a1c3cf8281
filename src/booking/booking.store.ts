/**
 * The booking service's port to its data: slots, bookings and their outbox messages, and the
 * people and facilities a booking names. Two adapters keep one contract
 * (test/contracts/booking-repository.contract.ts): Kysely over Postgres or PGlite
 * (kysely-booking-store.ts) and memory (memory-booking-store.ts, the unit tier's).
 */
import type { PersonRow } from '../people/people.table.ts';
import type { FacilityRow } from '../facilities/facilities.table.ts';
import type { BookingRow, OutboxKind, OutboxPayload, SlotRow } from './booking.table.ts';

/** A booking row as the service writes it; the store assigns the id and the dose-2 seat. */
export type NewBooking = Omit<BookingRow, 'id' | 'dose2_slot_id'>;

/** The confirmation written with a booking change, in the same atomic step. */
export interface OutboxMessage {
  kind: OutboxKind;
  payload: OutboxPayload;
  nowMs: number;
  /**
   * Written already claimed by its writer until this time (ms): no sender claims it before then, and
   * the writer hands it to its own process's sender once the write committed (one write of the
   * outbox row fewer than a claim). Absent: due at once, claimed by any sender.
   */
  claimedUntilMs?: number | undefined;
}

/** An outbox message as it was written (the dates of an earliest-seat write filled in). */
export interface WrittenMessage {
  id: number;
  kind: OutboxKind;
  payload: OutboxPayload;
}

/** Where the seats are taken: a dose-1 slot and a dose-2 seat at its facility on the dose-2 date. */
export interface SeatPair {
  dose1SlotId: number;
  campaignId: string;
  facilityId: number;
  vaccineCode: string;
  dose2Date: string;
}

/**
 * "The earliest free dose-1 seat at this facility from `fromDate` on" that a person may take: one of
 * `vaccineCodes`, of no quota group or of `rotationGroup`, with a free dose-2 seat of the same
 * vaccine at the facility `dose2IntervalDays` later. The store picks and takes it in one step.
 */
export interface EarliestSeat {
  campaignId: string;
  facilityId: number;
  fromDate: string;
  vaccineCodes: readonly string[];
  rotationGroup: number;
  dose2IntervalDays: number;
}

/** A new booking whose seats the store chooses: what the chosen slot decides is left out. */
export type NewEarliestBooking = Omit<
  NewBooking,
  'facility_id' | 'vaccine_code' | 'dose1_slot_id' | 'dose1_date' | 'dose2_date'
>;

/**
 * Stand-ins for the dates in an `place-earliest` write's message text: the store replaces them with
 * the dates of the seats it took, in the same statement (the message is never sent with them).
 */
export const DOSE1_DATE_MARK = '{{dose1Date}}';
export const DOSE2_DATE_MARK = '{{dose2Date}}';

/**
 * A booking written together with the seats it holds: a new one on a chosen slot (`place`), a new
 * one on the earliest free seat at a facility (`place-earliest`), or an existing one moved to new
 * seats (`move`; the old seats are the caller's to release).
 */
export type SeatedWrite =
  | { kind: 'place'; booking: NewBooking; message: OutboxMessage }
  | { kind: 'place-earliest'; booking: NewEarliestBooking; at: EarliestSeat; message: OutboxMessage }
  | { kind: 'move'; bookingId: number; seats: SeatPair; dose1Date: string; message: OutboxMessage };

/**
 * Why a seated write wrote nothing: no dose-1 seat, no dose-2 seat on that date, or a uniqueness
 * rule (one active booking per person and campaign, one booking per requester and idempotency key,
 * one booking per admission).
 */
export type SeatedWriteFailure =
  'slot-full' | 'dose2-unavailable' | 'already-booked' | 'idempotency-key-used' | 'admission-used';

export type SeatedWriteResult =
  { ok: true; booking: BookingRow; message: WrittenMessage } | { ok: false; reason: SeatedWriteFailure };

/** Where the refused seat was, and what the person may book instead. */
export interface AlternativesQuery {
  campaignId: string;
  facilityId: number;
  date: string;
  regionCode: string;
  districtCode: string;
  vaccineCodes: readonly string[];
  rotationGroup: number;
  fromDate: string;
  /** At most this many of each kind (same facility, nearby facilities). */
  perKind: number;
}

/** A free dose-1 slot offered instead of a full one (the slot search's row shape). */
export interface AlternativeSlot {
  slotId: number;
  date: string;
  vaccineCode: string;
  rotationGroup: number | null;
  free: number;
  facilityId: number;
  facilityCode: string;
  nameKo: string;
  nameEn: string;
  regionCode: string;
  districtCode: string;
  address: string;
  /** '' when not known. */
  addressEn: string;
}

/** Thrown by an adapter when the database kept refusing the work (deadlocks, serialization failures) after its retries. */
export class StoreBusy extends Error {
  constructor(cause?: unknown) {
    super('booking store busy', { cause });
  }
}

/** Reads and writes bound to one connection: the pool's, or one transaction's. */
export interface BookingStore {
  findSlot(slotId: number): Promise<SlotRow | undefined>;
  findPerson(personId: number): Promise<PersonRow | undefined>;
  findFacility(facilityId: number): Promise<FacilityRow | undefined>;
  /**
   * THE way a seat is taken: the dose-1 seat, a dose-2 seat, the booking row and its outbox message,
   * all or nothing, in one step (one statement on Postgres). Each seat is taken only while
   * `booked < capacity`, under the row's lock: nothing can oversell.
   */
  writeBookingTakingSeats(w: SeatedWrite): Promise<SeatedWriteResult>;
  /**
   * Free dose-1 slots to offer instead of a full one, in one read: the same facility on other dates
   * (nearest to `date` first), then other facilities of the region on `date` (same district first).
   */
  findAlternativeSlots(q: AlternativesQuery): Promise<AlternativeSlot[]>;
  /** Gives one seat of a slot back (never below zero). */
  releaseSeat(slotId: number): Promise<void>;
  findBookingByIdempotencyKey(requestedById: number, key: string): Promise<BookingRow | undefined>;
  /** Bookings a verified identity may see: its own and those it made for someone else (newest first, at most 50). */
  findBookingsVisibleTo(personId: number): Promise<BookingRow[]>;
  /** The booking, without a lock, if `personId` may act on it. */
  findBookingForOwner(bookingNumber: string, personId: number): Promise<BookingRow | undefined>;
  /** The booking, locked until the transaction ends, if `personId` may act on it. */
  lockBookingForOwner(bookingNumber: string, personId: number): Promise<BookingRow | undefined>;
  markBookingCancelled(bookingId: number, nowMs: number): Promise<BookingRow>;
  insertOutboxMessage(bookingId: number, m: OutboxMessage): Promise<void>;
}

/** The store on the pool, and `transact`: `fn` runs on a store bound to one transaction, which commits when `fn` returns and rolls back when it throws. */
export interface BookingStores extends BookingStore {
  transact<T>(fn: (store: BookingStore) => Promise<T>): Promise<T>;
}
