/**
 * Placing, changing and cancelling bookings. Every change to seats, the booking row and its
 * outbox message happens in one transaction: either all of it commits or none of it does, so a
 * confirmation can only ever be sent for a booking that exists (the 2021 "800 false texts").
 * Capacity is enforced by conditional updates in the database, not by reads here.
 */
import type { Clock } from '../platform/clock.ts';
import type { Db, DbOrTrx } from '../platform/db.ts';
import { isRetryableTxError, Rollback, uniqueViolation } from '../platform/db-errors.ts';
import { err, ok, type Result } from '../platform/result.ts';
import type { CampaignRules } from '../eligibility/rules.ts';
import { checkEligibility } from '../eligibility/eligibility.ts';
import { cohortFor, birthDayDigitOf } from '../eligibility/openings.ts';
import { addDays, formatLocalDate, parseLocalDate, seoulWallClockAt } from '../platform/calendar.ts';
import type { PersonRow } from '../people/people.table.ts';
import type { FacilityRow } from '../facilities/facilities.table.ts';
import type { BookingRow, OutboxKind, SlotRow } from './booking.table.ts';
import { bookingMessage } from './booking-messages.ts';
import type * as BookingRepo from './booking.repository.ts';
import type * as SlotRepo from './slot.repository.ts';

export type BookingFailure =
  | 'campaign-not-found' | 'not-in-cohort' | 'not-yet' | 'window-closed' | 'already-booked'
  | 'slot-not-found' | 'slot-full' | 'dose2-unavailable' | 'wrong-rotation-group' | 'wrong-vaccine'
  | 'proxy-banned' | 'identity-mismatch' | 'malformed-rrn' | 'invalid-rrn' | 'idempotency-conflict'
  | 'booking-not-found' | 'booking-cancelled' | 'admission-used' | 'busy';

export interface LiveCampaign { rules: CampaignRules; version: number }

export interface BookingServiceDeps {
  clock: Clock;
  db: Db;
  liveCampaign(id: string): Promise<LiveCampaign | undefined>;
  findPerson(db: DbOrTrx, id: number): Promise<PersonRow | undefined>;
  /** Resolves the person a proxy books for, from their RRN and name (campaigns that allow proxies). */
  resolveProxyTarget(rrn: string, name: string): Promise<Result<PersonRow, 'identity-mismatch' | 'malformed-rrn' | 'invalid-rrn'>>;
  findFacility(db: DbOrTrx, id: number): Promise<FacilityRow | undefined>;
  slots: Pick<typeof SlotRepo, 'findSlot' | 'takeSeatIfAvailable' | 'takeDose2SeatIfAvailable' | 'releaseSeat'>;
  bookings: Pick<typeof BookingRepo, 'insertBookingTakingSeats' | 'findBookingByIdempotencyKey' | 'findActiveBooking' | 'lockBookingForOwner' | 'updateBooking' | 'findBookingsVisibleTo'>;
  outbox: Pick<typeof BookingRepo, 'insertOutboxMessage'>;
  newBookingNumber(): string;
}

export interface PlaceBookingInput {
  requesterId: number;
  campaignId: string;
  slotId: number;
  idempotencyKey: string;
  /** Present when booking for someone else. */
  forPerson?: { rrn: string; name: string } | undefined;
  /** The waiting-room admission this booking consumes (single use, enforced by a unique index). */
  admissionId?: string | undefined;
}

const MAX_TX_ATTEMPTS = 3;

export function createBookingService(deps: BookingServiceDeps) {
  /** Runs `fn` in a transaction, retrying deadlocks; expected failures roll back as Results. */
  async function inTransaction<T, R extends string>(fn: (trx: DbOrTrx) => Promise<T>): Promise<Result<T, R | 'busy'>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return ok(await deps.db.transaction().execute(fn));
      } catch (e) {
        if (e instanceof Rollback) return err(e.reason as R, e.detail);
        if (isRetryableTxError(e) && attempt < MAX_TX_ATTEMPTS) continue;
        if (isRetryableTxError(e)) return err('busy');
        throw e;
      }
    }
  }

  function seoulToday(): string {
    return formatLocalDate(seoulWallClockAt(deps.clock.nowMs()).date);
  }

  async function resolveTarget(requesterId: number, rules: CampaignRules, forPerson: PlaceBookingInput['forPerson']) {
    if (!forPerson) {
      const self = await deps.findPerson(deps.db, requesterId);
      return self ? ok(self) : err('identity-mismatch' as const);
    }
    if (rules.proxyBooking === 'banned') return err('proxy-banned' as const);
    return deps.resolveProxyTarget(forPerson.rrn, forPerson.name);
  }

  /** Checks the slot fits this person and campaign before any seat is taken. */
  function slotProblem(slot: SlotRow | undefined, campaignId: string, person: PersonRow, rules: CampaignRules): BookingFailure | undefined {
    if (!slot || slot.campaign_id !== campaignId || slot.dose !== 1 || slot.date <= seoulToday()) return 'slot-not-found';
    const cohort = cohortFor(rules, person.birth_date);
    if (!cohort) return 'not-in-cohort';
    if (!vaccineCodesFor(cohort.vaccine.code).includes(slot.vaccine_code)) return 'wrong-vaccine';
    if (slot.rotation_group !== null && slot.rotation_group !== birthDayDigitOf(person.birth_date)) return 'wrong-rotation-group';
    return undefined;
  }

  /**
   * A retried request (same idempotency key) gets the booking its key made. The key is looked up
   * only when this attempt fails, not before every booking (one round trip less on the hot path):
   * a retry of a committed booking always fails here (its person already holds a booking, its key
   * and admission are used, or its seat is gone), and then finds its booking.
   */
  async function placeBooking(input: PlaceBookingInput): Promise<Result<BookingView, BookingFailure>> {
    const placed = await placeOnce(input);
    if (placed.ok || placed.reason === 'campaign-not-found') return placed;
    const previous = await deps.bookings.findBookingByIdempotencyKey(deps.db, input.requesterId, input.idempotencyKey);
    return previous ? replay(previous, input) : placed;
  }

  /** The booking a request with this idempotency key already made in this campaign, if any: what a retry is answered with. */
  async function retriedBooking(input: Pick<PlaceBookingInput, 'requesterId' | 'campaignId' | 'idempotencyKey'>): Promise<BookingView | undefined> {
    const previous = await deps.bookings.findBookingByIdempotencyKey(deps.db, input.requesterId, input.idempotencyKey);
    return previous && previous.campaign_id === input.campaignId ? viewOf(previous) : undefined;
  }

  async function placeOnce(input: PlaceBookingInput): Promise<Result<BookingView, BookingFailure>> {
    const campaign = await deps.liveCampaign(input.campaignId);
    if (!campaign) return err('campaign-not-found');
    const target = await resolveTarget(input.requesterId, campaign.rules, input.forPerson);
    if (!target.ok) return target;
    const person = target.value;
    const decision = checkEligibility({ birthDate: person.birth_date, hasActiveBooking: false }, campaign.rules, deps.clock.nowMs());
    if (decision.status !== 'eligible') return err(decision.status, { message: decision.message });
    const slot = await deps.slots.findSlot(deps.db, input.slotId);
    const problem = slotProblem(slot, input.campaignId, person, campaign.rules);
    if (problem || !slot) return err(problem ?? 'slot-not-found');
    const intervalDays = cohortFor(campaign.rules, person.birth_date)!.vaccine.doseIntervalDays;
    const placed = await writeNewBooking({ input, person, slot, version: campaign.version, dose2Date: addDaysTo(slot.date, intervalDays) });
    return placed.ok ? ok(await viewOf(placed.value)) : placed;
  }

  /**
   * Seats, booking row and confirmation message in one atomic statement (see
   * insertBookingTakingSeats): one round trip where a transaction took five, on the path every
   * admitted person takes. Deadlocks and serialization failures are retried like a transaction's.
   */
  async function writeNewBooking(a: { input: PlaceBookingInput; person: PersonRow; slot: SlotRow; version: number; dose2Date: string }): Promise<Result<BookingRow, BookingFailure>> {
    const nowMs = deps.clock.nowMs();
    const row = {
      booking_number: deps.newBookingNumber(), campaign_id: a.input.campaignId, campaign_version: a.version,
      person_id: a.person.id, requested_by_id: a.input.requesterId, status: 'active' as const,
      facility_id: a.slot.facility_id, vaccine_code: a.slot.vaccine_code,
      dose1_slot_id: a.slot.id, dose1_date: a.slot.date, dose2_date: a.dose2Date,
      idempotency_key: a.input.idempotencyKey, admission_id: a.input.admissionId ?? null,
      created_at: new Date(nowMs), updated_at: new Date(nowMs), cancelled_at: null,
    };
    const message = { kind: 'booking-confirmed' as const, nowMs, payload: await messageFor(deps.db, 'booking-confirmed', row, a.person) };
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await deps.bookings.insertBookingTakingSeats(deps.db, row, message);
        if (r.ok) return ok(r.booking);
        return r.reason === 'dose2-unavailable' ? err('dose2-unavailable', { dose2Date: a.dose2Date }) : err(r.reason);
      } catch (e) {
        const explained = explainUnique(uniqueViolation(e));
        if (explained) return err(...explained);
        if (isRetryableTxError(e) && attempt < MAX_TX_ATTEMPTS) continue;
        if (isRetryableTxError(e)) return err('busy');
        throw e;
      }
    }
  }

  /** The failure a unique violation means; undefined for any other error, which is rethrown as it is. */
  function explainUnique(constraint: string | undefined): [BookingFailure, Record<string, unknown>?] | undefined {
    if (constraint === 'bookings_one_active_per_person') return ['already-booked'];
    if (constraint === 'bookings_requested_by_id_idempotency_key_key') return ['already-booked', { idempotencyRace: true }];
    if (constraint === 'bookings_admission_id_key') return ['admission-used'];
    return undefined;
  }

  /** `db`: the caller's transaction when there is one (on PGlite's single connection, another query would wait for it forever). */
  async function messageFor(db: DbOrTrx, kind: OutboxKind, b: Pick<BookingRow, 'booking_number' | 'facility_id' | 'dose1_date' | 'dose2_date'>, person: PersonRow) {
    const facility = await deps.findFacility(db, b.facility_id);
    return bookingMessage(kind, {
      phone: person.phone, bookingNumber: b.booking_number,
      facilityName: { ko: facility?.name_ko ?? '', en: facility?.name_en ?? '' },
      dose1Date: b.dose1_date, dose2Date: b.dose2_date,
    });
  }

  async function recordMessage(trx: DbOrTrx, booking: BookingRow, kind: OutboxKind, person: PersonRow, nowMs: number) {
    await deps.outbox.insertOutboxMessage(trx, { bookingId: booking.id, kind, nowMs, payload: await messageFor(trx, kind, booking, person) });
  }

  /**
   * A retried request gets the booking its key created, as it is now (it may have been changed
   * since). The same key for another campaign is a client bug, reported as a conflict.
   */
  async function replay(previous: BookingRow, input: PlaceBookingInput): Promise<Result<BookingView, BookingFailure>> {
    if (previous.campaign_id !== input.campaignId) return err('idempotency-conflict');
    return ok(await viewOf(previous));
  }

  async function changeBooking(input: { requesterId: number; bookingNumber: string; slotId: number }): Promise<Result<BookingView, BookingFailure>> {
    const result = await inTransaction<BookingRow, BookingFailure>(async (trx) => {
      const booking = await lockActiveBooking(trx, input.bookingNumber, input.requesterId);
      if (booking.dose1_slot_id === input.slotId) return booking;
      const campaign = await deps.liveCampaign(booking.campaign_id);
      const person = await deps.findPerson(trx, booking.person_id);
      if (!campaign || !person) throw new Rollback('booking-not-found');
      const slot = await deps.slots.findSlot(trx, input.slotId);
      const problem = slotProblem(slot, booking.campaign_id, person, campaign.rules);
      if (problem || !slot) throw new Rollback(problem ?? 'slot-not-found');
      const dose2Date = addDaysTo(slot.date, cohortFor(campaign.rules, person.birth_date)!.vaccine.doseIntervalDays);
      if (!(await deps.slots.takeSeatIfAvailable(trx, slot.id))) throw new Rollback('slot-full');
      const dose2SlotId = await deps.slots.takeDose2SeatIfAvailable(trx, { campaignId: slot.campaign_id, facilityId: slot.facility_id, date: dose2Date, vaccineCode: slot.vaccine_code });
      if (dose2SlotId === undefined) throw new Rollback('dose2-unavailable', { dose2Date });
      await deps.slots.releaseSeat(trx, booking.dose1_slot_id);
      await deps.slots.releaseSeat(trx, booking.dose2_slot_id);
      const nowMs = deps.clock.nowMs();
      const changed = await deps.bookings.updateBooking(trx, booking.id, {
        facility_id: slot.facility_id, vaccine_code: slot.vaccine_code, dose1_slot_id: slot.id, dose1_date: slot.date,
        dose2_slot_id: dose2SlotId, dose2_date: dose2Date, updated_at: new Date(nowMs),
      });
      await recordMessage(trx, changed, 'booking-changed', person, nowMs);
      return changed;
    });
    return result.ok ? ok(await viewOf(result.value)) : result;
  }

  async function cancelBooking(input: { requesterId: number; bookingNumber: string }): Promise<Result<BookingView, BookingFailure>> {
    const result = await inTransaction<BookingRow, BookingFailure>(async (trx) => {
      const booking = await lockActiveBooking(trx, input.bookingNumber, input.requesterId);
      await deps.slots.releaseSeat(trx, booking.dose1_slot_id);
      await deps.slots.releaseSeat(trx, booking.dose2_slot_id);
      const nowMs = deps.clock.nowMs();
      const cancelled = await deps.bookings.updateBooking(trx, booking.id, { status: 'cancelled', cancelled_at: new Date(nowMs), updated_at: new Date(nowMs) });
      const person = await deps.findPerson(trx, booking.person_id);
      if (person) await recordMessage(trx, cancelled, 'booking-cancelled', person, nowMs);
      return cancelled;
    });
    return result.ok ? ok(await viewOf(result.value)) : result;
  }

  async function lockActiveBooking(trx: DbOrTrx, bookingNumber: string, requesterId: number): Promise<BookingRow> {
    const booking = await deps.bookings.lockBookingForOwner(trx, bookingNumber, requesterId);
    if (!booking) throw new Rollback('booking-not-found');
    if (booking.status !== 'active') throw new Rollback('booking-cancelled');
    return booking;
  }

  async function myBookings(requesterId: number): Promise<BookingView[]> {
    const rows = await deps.bookings.findBookingsVisibleTo(deps.db, requesterId);
    return Promise.all(rows.map(viewOf));
  }

  async function getBooking(requesterId: number, bookingNumber: string): Promise<Result<BookingView, 'booking-not-found'>> {
    const found = (await myBookings(requesterId)).find((b) => b.bookingNumber === bookingNumber);
    return found ? ok(found) : err('booking-not-found');
  }

  async function viewOf(b: BookingRow): Promise<BookingView> {
    const f = await deps.findFacility(deps.db, b.facility_id);
    return toBookingView(b, f);
  }

  return { placeBooking, retriedBooking, changeBooking, cancelBooking, myBookings, getBooking };
}

export type BookingService = ReturnType<typeof createBookingService>;

export interface BookingView {
  bookingNumber: string;
  campaignId: string;
  status: 'active' | 'cancelled';
  isProxy: boolean;
  facility: { code: string; name: { ko: string; en: string }; address: string; regionCode: string } | null;
  vaccineCode: string;
  dose1: { date: string; slotId: number };
  dose2: { date: string; slotId: number };
  createdAt: string;
  cancelledAt: string | null;
}

export function toBookingView(b: BookingRow, f: FacilityRow | undefined): BookingView {
  return {
    bookingNumber: b.booking_number, campaignId: b.campaign_id, status: b.status,
    isProxy: b.person_id !== b.requested_by_id,
    facility: f ? { code: f.code, name: { ko: f.name_ko, en: f.name_en }, address: f.address, regionCode: f.region_code } : null,
    vaccineCode: b.vaccine_code,
    dose1: { date: b.dose1_date, slotId: b.dose1_slot_id },
    dose2: { date: b.dose2_date, slotId: b.dose2_slot_id },
    createdAt: new Date(b.created_at).toISOString(),
    cancelledAt: b.cancelled_at ? new Date(b.cancelled_at).toISOString() : null,
  };
}

/** `mrna` means whichever of Pfizer or Moderna a facility has. */
export function vaccineCodesFor(cohortCode: string): string[] {
  return cohortCode === 'mrna' ? ['pfizer', 'moderna'] : [cohortCode];
}

function addDaysTo(date: string, days: number): string {
  return formatLocalDate(addDays(parseLocalDate(date)!, days));
}
