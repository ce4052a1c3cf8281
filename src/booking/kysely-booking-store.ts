/**
 * The booking store on Postgres or PGlite through Kysely. The pool's store retries a statement
 * that hit a deadlock or serialization failure; `transact` retries the whole transaction (its
 * function must be safe to run again). After MAX_ATTEMPTS either throws StoreBusy.
 *
 * With `batch`, new bookings on the pool go through a batcher (booking-batch.ts): those that arrive
 * while `maxInFlight` booking writes are running go out together in one call of
 * `writeNewBookingsTakingSeats` (one round trip, one transaction), each with its own outcome. A
 * batch of one is the single statement. A write of a batch that failed with an error that is not a
 * refusal (nothing of it was written) is run again alone, so its caller gets what the single
 * statement gives — except a lock wait that ran out, whose caller gets that error at once (a second
 * wait alone would double the time to its 503; migration 0011); a batch that failed as a whole is retried as a whole when the error is a
 * deadlock or serialization failure, and otherwise fails every caller of it with its error.
 */
import type { Db, DbOrTrx } from '../platform/db.ts';
import { isRetryableTxError } from '../platform/db-errors.ts';
import type { PersonRow } from '../people/people.table.ts';
import type { FacilityRow } from '../facilities/facilities.table.ts';
import type { SlotRow } from './booking.table.ts';
import {
  StoreBusy,
  type BookingStore,
  type BookingStores,
  type SeatedWrite,
  type SeatedWriteResult,
} from './booking.store.ts';
import type { NewBookingWrite } from './booking.repository.ts';
import * as bookings from './booking.repository.ts';
import { createBatcher, type BatchSettings } from './booking-batch.ts';
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
  /** New bookings written in batches (absent: each alone). */
  batch?: BatchSettings & { onBatch?: (size: number) => void };
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
  const writeAlone = (w: SeatedWrite) => withRetries(() => pool.writeBookingTakingSeats(w));
  const writeBatched = o.batch ? batchedWrites(o.db, o.batch, writeAlone) : undefined;
  return {
    ...pool,
    writeBookingTakingSeats: (w) => (writeBatched && w.kind !== 'move' ? writeBatched(w) : writeAlone(w)),
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

function batchedWrites(
  db: Db,
  settings: BatchSettings & { onBatch?: (size: number) => void },
  writeAlone: (w: SeatedWrite) => Promise<SeatedWriteResult>,
): (w: NewBookingWrite) => Promise<SeatedWriteResult> {
  return createBatcher<NewBookingWrite, SeatedWriteResult>(settings, {
    runOne: writeAlone,
    runMany: async (writes) => {
      const outcomes = await withRetries(() => bookings.writeNewBookingsTakingSeats(db, writes));
      return outcomes.map((r, k) =>
        'alone' in r ? writeAlone(writes[k]!) : 'failed' in r ? Promise.reject(r.failed) : Promise.resolve(r),
      );
    },
    ...(settings.onBatch ? { onBatch: settings.onBatch } : {}),
  });
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
