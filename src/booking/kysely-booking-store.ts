/**
 * The booking store on Postgres or PGlite through Kysely. The pool's store retries a statement
 * that hit a deadlock or serialization failure; `transact` retries the whole transaction (its
 * function must be safe to run again). After MAX_ATTEMPTS either throws StoreBusy.
 */
import type { Db, DbOrTrx } from '../platform/db.ts';
import { isRetryableTxError } from '../platform/db-errors.ts';
import type { PersonRow } from '../people/people.table.ts';
import type { FacilityRow } from '../facilities/facilities.table.ts';
import type { SlotRow } from './booking.table.ts';
import { StoreBusy, type BookingStore, type BookingStores } from './booking.store.ts';
import * as bookings from './booking.repository.ts';
import * as slots from './slot.repository.ts';
import type { AvailabilityReads } from './availability.service.ts';

const MAX_ATTEMPTS = 3;

type Finder<R> = (db: DbOrTrx, id: number) => Promise<R | undefined>;

/** Finders default to plain reads; the composition root passes cached ones (row-cache.ts). */
export function kyselyBookingStores(o: {
  db: Db;
  findPerson: Finder<PersonRow>;
  findFacility: Finder<FacilityRow>;
  findSlot?: Finder<SlotRow>;
}): BookingStores {
  const findSlot = o.findSlot ?? slots.findSlot;
  const on = (db: DbOrTrx): BookingStore => ({
    findSlot: (id) => findSlot(db, id),
    findPerson: (id) => o.findPerson(db, id),
    findFacility: (id) => o.findFacility(db, id),
    writeBookingTakingSeats: (w) => bookings.writeBookingTakingSeats(db, w),
    findAlternativeSlots: (q) => slots.findAlternativeSlots(db, q),
    releaseSeat: (id) => slots.releaseSeat(db, id),
    findBookingByIdempotencyKey: (requestedById, key) => bookings.findBookingByIdempotencyKey(db, requestedById, key),
    findBookingsVisibleTo: (personId) => bookings.findBookingsVisibleTo(db, personId),
    findBookingForOwner: (bookingNumber, personId) => bookings.findBookingForOwner(db, bookingNumber, personId),
    lockBookingForOwner: (bookingNumber, personId) => bookings.lockBookingForOwner(db, bookingNumber, personId),
    markBookingCancelled: (id, nowMs) => bookings.markBookingCancelled(db, id, nowMs),
    insertOutboxMessage: (bookingId, m) => bookings.insertOutboxMessage(db, bookingId, m),
  });
  const pool = on(o.db);
  return {
    ...pool,
    writeBookingTakingSeats: (w) => withRetries(() => pool.writeBookingTakingSeats(w)),
    transact: (fn) => withRetries(() => o.db.transaction().execute((trx) => fn(on(trx)))),
  };
}

/** Availability's reads on the pool. */
export function kyselyAvailabilityReads(o: { db: Db; findPerson: Finder<PersonRow> }): AvailabilityReads {
  return {
    findPerson: (id) => o.findPerson(o.db, id),
    findActiveBooking: (campaignId, personId) => bookings.findActiveBooking(o.db, campaignId, personId),
    findBookingsVisibleTo: (personId) => bookings.findBookingsVisibleTo(o.db, personId),
    searchOpenSlots: (q) => slots.searchOpenSlots(o.db, q),
    freeSeatsByRegion: (campaignId, fromDate) => slots.freeSeatsByRegion(o.db, campaignId, fromDate),
    freeSeatsTotal: (campaignId, fromDate) => slots.freeSeatsTotal(o.db, campaignId, fromDate),
  };
}

async function withRetries<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (e) {
      if (!isRetryableTxError(e)) throw e;
      if (attempt >= MAX_ATTEMPTS) throw new StoreBusy(e);
    }
  }
}
