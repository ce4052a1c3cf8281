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
export interface OutboxMessage { kind: OutboxKind; payload: OutboxPayload; nowMs: number }

/** Where the seats are taken: a dose-1 slot and a dose-2 seat at its facility on the dose-2 date. */
export interface SeatPair { dose1SlotId: number; campaignId: string; facilityId: number; vaccineCode: string; dose2Date: string }

/**
 * A booking written together with the seats it holds: a new one (`place`) or an existing one
 * moved to new seats (`move`; the old seats are the caller's to release).
 */
export type SeatedWrite =
  | { kind: 'place'; booking: NewBooking; message: OutboxMessage }
  | { kind: 'move'; bookingId: number; seats: SeatPair; dose1Date: string; message: OutboxMessage };

/**
 * Why a seated write wrote nothing: no dose-1 seat, no dose-2 seat on that date, or a uniqueness
 * rule (one active booking per person and campaign, one booking per requester and idempotency key,
 * one booking per admission).
 */
export type SeatedWriteFailure = 'slot-full' | 'dose2-unavailable' | 'already-booked' | 'idempotency-key-used' | 'admission-used';

export type SeatedWriteResult = { ok: true; booking: BookingRow } | { ok: false; reason: SeatedWriteFailure };

/** Thrown by an adapter when the database kept refusing the work (deadlocks, serialization failures) after its retries. */
export class StoreBusy extends Error {
  constructor(cause?: unknown) { super('booking store busy', { cause }); }
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
  /** Gives one seat of a slot back (never below zero). */
  releaseSeat(slotId: number): Promise<void>;
  findBookingByIdempotencyKey(requestedById: number, key: string): Promise<BookingRow | undefined>;
  /** Bookings a verified identity may see: its own and those it made for someone else (newest first, at most 50). */
  findBookingsVisibleTo(personId: number): Promise<BookingRow[]>;
  /** The booking, locked until the transaction ends, if `personId` may act on it. */
  lockBookingForOwner(bookingNumber: string, personId: number): Promise<BookingRow | undefined>;
  markBookingCancelled(bookingId: number, nowMs: number): Promise<BookingRow>;
  insertOutboxMessage(bookingId: number, m: OutboxMessage): Promise<void>;
}

/** The store on the pool, and `transact`: `fn` runs on a store bound to one transaction, which commits when `fn` returns and rolls back when it throws. */
export interface BookingStores extends BookingStore {
  transact<T>(fn: (store: BookingStore) => Promise<T>): Promise<T>;
}
