/**
 * Placing, changing and cancelling bookings. Every change to seats, the booking row and its
 * outbox message happens atomically: either all of it commits or none of it does, so a
 * confirmation can only ever be sent for a booking that exists (the 2021 "800 false texts").
 * Capacity is enforced by the store's conditional seat taking, not by reads here. The rules are
 * pure (booking-rules.ts); time comes from the injected clock only.
 */
import type { Clock } from '../platform/clock.ts';
import { Rollback } from '../platform/db-errors.ts';
import { err, ok, type Result } from '../platform/result.ts';
import type { CampaignRules } from '../eligibility/rules.ts';
import { checkEligibility } from '../eligibility/eligibility.ts';
import type { PersonRow } from '../people/people.table.ts';
import type { FacilityRow } from '../facilities/facilities.table.ts';
import type { BookingRow, OutboxKind, SlotRow } from './booking.table.ts';
import { bookingMessage } from './booking-messages.ts';
import { dose2DateOfBooking, firstBookableDate, slotProblem, vaccineCodesFor } from './booking-rules.ts';
import { birthDayDigitOf, cohortFor, openingsOf, type Opening } from '../eligibility/openings.ts';
import {
  DOSE1_DATE_MARK,
  DOSE2_DATE_MARK,
  StoreBusy,
  type AlternativeSlot,
  type BookingStore,
  type BookingStores,
  type NewBooking,
  type SeatedWrite,
  type SeatedWriteResult,
  type WrittenMessage,
} from './booking.store.ts';

export type BookingFailure =
  | 'campaign-not-found'
  | 'not-in-cohort'
  | 'not-yet'
  | 'window-closed'
  | 'already-booked'
  | 'slot-not-found'
  | 'slot-full'
  | 'dose2-unavailable'
  | 'wrong-rotation-group'
  | 'wrong-vaccine'
  | 'proxy-banned'
  | 'identity-mismatch'
  | 'malformed-rrn'
  | 'invalid-rrn'
  | 'idempotency-conflict'
  | 'booking-not-found'
  | 'booking-cancelled'
  | 'admission-used'
  | 'busy';

export interface LiveCampaign {
  rules: CampaignRules;
  version: number;
}

export interface BookingServiceDeps {
  clock: Clock;
  /** Slots, bookings, outbox, and the people and facilities they name; `transact` for changes. */
  store: BookingStores;
  liveCampaign(id: string): Promise<LiveCampaign | undefined>;
  /** Resolves the person a proxy books for, from their RRN and name (campaigns that allow proxies). */
  resolveProxyTarget(
    rrn: string,
    name: string,
  ): Promise<Result<PersonRow, 'identity-mismatch' | 'malformed-rrn' | 'invalid-rrn'>>;
  newBookingNumber(): string;
  /**
   * This process's outbox sender: while it runs, a new booking's message is written claimed for its
   * lease and handed to it after commit, so no sender has to claim it (one write of the outbox row
   * fewer). Absent or not running: messages are written due at once and claimed by any sender.
   */
  outbox?: OutboxHandOff | undefined;
}

export interface OutboxHandOff {
  /** How long a message written now stays its writer's (ms); undefined while this process sends nothing. */
  leaseMs(): number | undefined;
  /** Called after the write committed; the message is claimed until `claimedUntilMs`. */
  handOff(m: WrittenMessage & { claimedUntilMs: number }): void;
}

/** How many alternatives of each kind (same facility, nearby facilities) a slot-full answer carries. */
const ALTERNATIVES_PER_KIND = 3;

export interface PlaceBookingInput {
  requesterId: number;
  campaignId: string;
  /** The dose-1 slot chosen; or, instead, `earliestAt`. */
  slotId?: number | undefined;
  /** The earliest free seat at this facility from `fromDate` on ('YYYY-MM-DD'), picked and taken in one atomic step. */
  earliestAt?: { facilityId: number; fromDate: string } | undefined;
  idempotencyKey: string;
  /** Present when booking for someone else. */
  forPerson?: { rrn: string; name: string } | undefined;
  /** The waiting-room admission this booking consumes (single use, enforced by the store). */
  admissionId?: string | undefined;
}

export function createBookingService(deps: BookingServiceDeps) {
  const { store } = deps;
  /**
   * The openings of each campaign version's rules, worked out once: a new version is a new rules
   * object. Worked out per booking they were ~2 % of the service's CPU in the bench's peak phase.
   */
  const openingsByRules = new WeakMap<CampaignRules, readonly Opening[]>();
  function openingsOfVersion(rules: CampaignRules): readonly Opening[] {
    let openings = openingsByRules.get(rules);
    if (!openings) openingsByRules.set(rules, (openings = openingsOf(rules)));
    return openings;
  }

  /** Runs `fn` in one transaction; expected failures roll back as Results, a store that stays busy is 'busy'. */
  async function inTransaction<T>(fn: (tx: BookingStore) => Promise<T>): Promise<Result<T, BookingFailure>> {
    try {
      return ok(await store.transact(fn));
    } catch (e) {
      if (e instanceof Rollback) return err(e.reason as BookingFailure, e.detail);
      if (e instanceof StoreBusy) return err('busy');
      throw e;
    }
  }

  async function resolveTarget(requesterId: number, rules: CampaignRules, forPerson: PlaceBookingInput['forPerson']) {
    if (!forPerson) {
      const self = await store.findPerson(requesterId);
      return self ? ok(self) : err('identity-mismatch' as const);
    }
    if (rules.proxyBooking === 'banned') return err('proxy-banned' as const);
    return deps.resolveProxyTarget(forPerson.rrn, forPerson.name);
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
    const previous = await store.findBookingByIdempotencyKey(input.requesterId, input.idempotencyKey);
    return previous ? replay(previous, input) : placed;
  }

  /** The booking a request with this idempotency key already made in this campaign, if any: what a retry is answered with. */
  async function retriedBooking(
    input: Pick<PlaceBookingInput, 'requesterId' | 'campaignId' | 'idempotencyKey'>,
  ): Promise<BookingView | undefined> {
    const previous = await store.findBookingByIdempotencyKey(input.requesterId, input.idempotencyKey);
    return previous && previous.campaign_id === input.campaignId ? viewOf(previous) : undefined;
  }

  async function placeOnce(input: PlaceBookingInput): Promise<Result<BookingView, BookingFailure>> {
    // The chosen slot is asked for now, beside the person: the store may read both in one round trip.
    const slotRead = input.earliestAt || input.slotId === undefined ? undefined : store.findSlot(input.slotId);
    slotRead?.catch(() => undefined); // awaited below unless the booking is refused first
    const campaign = await deps.liveCampaign(input.campaignId);
    if (!campaign) return err('campaign-not-found');
    const target = await resolveTarget(input.requesterId, campaign.rules, input.forPerson);
    if (!target.ok) return target;
    const person = target.value;
    const nowMs = deps.clock.nowMs();
    const decision = checkEligibility(
      { birthDate: person.birth_date, hasActiveBooking: false },
      campaign.rules,
      nowMs,
      openingsOfVersion(campaign.rules),
    );
    if (decision.status !== 'eligible') return err(decision.status, { message: decision.message });
    const placed = input.earliestAt
      ? await writeEarliestBooking({ input, at: input.earliestAt, person, campaign, nowMs })
      : await writeChosenBooking({ input, slot: await slotRead, person, campaign, nowMs });
    return placed.ok ? ok(await viewOf(placed.value)) : placed;
  }

  /** A booking of the slot the person chose; a full slot is answered with alternatives. */
  async function writeChosenBooking(a: {
    input: PlaceBookingInput;
    slot: SlotRow | undefined;
    person: PersonRow;
    campaign: LiveCampaign;
    nowMs: number;
  }): Promise<Result<BookingRow, BookingFailure>> {
    const { slot } = a;
    const problem = slotProblem(slot, {
      campaignId: a.input.campaignId,
      birthDate: a.person.birth_date,
      rules: a.campaign.rules,
      nowMs: a.nowMs,
    });
    if (problem || !slot) return err(problem ?? 'slot-not-found');
    const dose2Date = dose2DateOfBooking(a.campaign.rules, a.person.birth_date, slot.date);
    const row: NewBooking = {
      ...newBookingBase(a.input, a.person, a.campaign.version, a.nowMs),
      facility_id: slot.facility_id,
      vaccine_code: slot.vaccine_code,
      dose1_slot_id: slot.id,
      dose1_date: slot.date,
      dose2_date: dose2Date,
    };
    const message = {
      kind: 'booking-confirmed' as const,
      nowMs: a.nowMs,
      payload: await messageFor(store, 'booking-confirmed', row, a.person),
      claimedUntilMs: claimedUntil(a.nowMs),
    };
    const written = await seatedWrite({ kind: 'place', booking: row, message }, dose2Date);
    return written.ok || written.reason !== 'slot-full'
      ? written
      : withAlternatives(written, a, { facilityId: slot.facility_id, date: slot.date });
  }

  /**
   * A booking of the earliest free seat at a facility from a date on: the store picks and takes it
   * in its one seat-taking statement (no read-then-write race), and fills the dates into the message.
   */
  async function writeEarliestBooking(a: {
    input: PlaceBookingInput;
    at: { facilityId: number; fromDate: string };
    person: PersonRow;
    campaign: LiveCampaign;
    nowMs: number;
  }): Promise<Result<BookingRow, BookingFailure>> {
    const cohort = cohortFor(a.campaign.rules, a.person.birth_date);
    if (!cohort) return err('not-in-cohort');
    const first = firstBookableDate(a.nowMs);
    const fromDate = a.at.fromDate > first ? a.at.fromDate : first;
    const booking = newBookingBase(a.input, a.person, a.campaign.version, a.nowMs);
    const facts = {
      booking_number: booking.booking_number,
      facility_id: a.at.facilityId,
      dose1_date: DOSE1_DATE_MARK,
      dose2_date: DOSE2_DATE_MARK,
    };
    const message = {
      kind: 'booking-confirmed' as const,
      nowMs: a.nowMs,
      payload: await messageFor(store, 'booking-confirmed', facts, a.person),
      claimedUntilMs: claimedUntil(a.nowMs),
    };
    const at = {
      campaignId: a.input.campaignId,
      facilityId: a.at.facilityId,
      fromDate,
      vaccineCodes: vaccineCodesFor(cohort.vaccine.code),
      rotationGroup: birthDayDigitOf(a.person.birth_date),
      dose2IntervalDays: cohort.vaccine.doseIntervalDays,
    };
    const written = await seatedWrite({ kind: 'place-earliest', booking, at, message }, undefined);
    return written.ok || written.reason !== 'slot-full'
      ? written
      : withAlternatives(written, a, { facilityId: a.at.facilityId, date: fromDate });
  }

  /** The columns of a new booking that do not depend on its seats. */
  function newBookingBase(input: PlaceBookingInput, person: PersonRow, version: number, nowMs: number) {
    return {
      booking_number: deps.newBookingNumber(),
      campaign_id: input.campaignId,
      campaign_version: version,
      person_id: person.id,
      requested_by_id: input.requesterId,
      status: 'active' as const,
      idempotency_key: input.idempotencyKey,
      admission_id: input.admissionId ?? null,
      created_at: new Date(nowMs),
      updated_at: new Date(nowMs),
      cancelled_at: null,
    };
  }

  /** When a new booking's message stops being its writer's to send (see `outbox`). */
  function claimedUntil(nowMs: number): number | undefined {
    const leaseMs = deps.outbox?.leaseMs();
    return leaseMs === undefined ? undefined : nowMs + leaseMs;
  }

  /** A new booking's write on the pool (it has committed when it returns): its message goes to this process's sender. */
  async function seatedWrite(
    w: SeatedWrite,
    dose2Date: string | undefined,
  ): Promise<Result<BookingRow, BookingFailure>> {
    try {
      const written = await store.writeBookingTakingSeats(w);
      const until = w.message.claimedUntilMs;
      if (written.ok && until !== undefined) deps.outbox?.handOff({ ...written.message, claimedUntilMs: until });
      return resultOfWrite(written, dose2Date);
    } catch (e) {
      if (e instanceof StoreBusy) return err('busy');
      throw e;
    }
  }

  /**
   * A slot-full refusal with what the person may book instead (one read, on the refusal path
   * only): the same facility on other dates, facilities of the same region on the same date.
   */
  async function withAlternatives<T>(
    refusal: Result<T, BookingFailure>,
    a: { input: PlaceBookingInput; person: PersonRow; campaign: LiveCampaign; nowMs: number },
    refused: { facilityId: number; date: string },
  ): Promise<Result<T, BookingFailure>> {
    const [facility, cohort] = [
      await store.findFacility(refused.facilityId),
      cohortFor(a.campaign.rules, a.person.birth_date),
    ];
    if (!facility || !cohort) return refusal;
    const alternatives: AlternativeSlot[] = await store.findAlternativeSlots({
      campaignId: a.input.campaignId,
      facilityId: refused.facilityId,
      date: refused.date,
      regionCode: facility.region_code,
      districtCode: facility.district_code,
      vaccineCodes: vaccineCodesFor(cohort.vaccine.code),
      rotationGroup: birthDayDigitOf(a.person.birth_date),
      fromDate: firstBookableDate(a.nowMs),
      perKind: ALTERNATIVES_PER_KIND,
    });
    return err('slot-full', { alternatives });
  }

  function resultOfWrite(r: SeatedWriteResult, dose2Date: string | undefined): Result<BookingRow, BookingFailure> {
    if (r.ok) return ok(r.booking);
    if (r.reason === 'dose2-unavailable')
      return err('dose2-unavailable', dose2Date === undefined ? undefined : { dose2Date });
    // Two requests with one key at once: the loser is answered with the winner's booking (see placeBooking).
    if (r.reason === 'idempotency-key-used') return err('already-booked', { idempotencyRace: true });
    return err(r.reason);
  }

  /** `on`: the caller's transaction when there is one (on PGlite's single connection, another query would wait for it forever). */
  async function messageFor(
    on: BookingStore,
    kind: OutboxKind,
    b: Pick<BookingRow, 'booking_number' | 'facility_id' | 'dose1_date' | 'dose2_date'>,
    person: PersonRow,
  ) {
    const facility = await on.findFacility(b.facility_id);
    return bookingMessage(kind, {
      phone: person.phone,
      bookingNumber: b.booking_number,
      facilityName: { ko: facility?.name_ko ?? '', en: facility?.name_en ?? '' },
      dose1Date: b.dose1_date,
      dose2Date: b.dose2_date,
    });
  }

  /**
   * A retried request gets the booking its key created, as it is now (it may have been changed
   * since). The same key for another campaign is a client bug, reported as a conflict.
   */
  async function replay(previous: BookingRow, input: PlaceBookingInput): Promise<Result<BookingView, BookingFailure>> {
    if (previous.campaign_id !== input.campaignId) return err('idempotency-conflict');
    return ok(await viewOf(previous));
  }

  /** Moves a booking to another dose-1 slot (and a dose-2 seat on its date), giving the old seats back. */
  async function changeBooking(input: {
    requesterId: number;
    bookingNumber: string;
    slotId: number;
  }): Promise<Result<BookingView, BookingFailure>> {
    // The campaign is read before the transaction: its cache may go to the database, and a read
    // on the pool while this transaction holds PGlite's one connection would wait forever.
    const current = await store.findBookingForOwner(input.bookingNumber, input.requesterId);
    const campaign = current && (await deps.liveCampaign(current.campaign_id));
    const result = await inTransaction(async (tx) => {
      const booking = await lockActiveBooking(tx, input.bookingNumber, input.requesterId);
      if (booking.dose1_slot_id === input.slotId) return booking;
      const person = await tx.findPerson(booking.person_id);
      if (!campaign || campaign.rules.id !== booking.campaign_id || !person) throw new Rollback('booking-not-found');
      const nowMs = deps.clock.nowMs();
      const slot = await tx.findSlot(input.slotId);
      const problem = slotProblem(slot, {
        campaignId: booking.campaign_id,
        birthDate: person.birth_date,
        rules: campaign.rules,
        nowMs,
      });
      if (problem || !slot) throw new Rollback(problem ?? 'slot-not-found');
      const dose2Date = dose2DateOfBooking(campaign.rules, person.birth_date, slot.date);
      const to = {
        booking_number: booking.booking_number,
        facility_id: slot.facility_id,
        dose1_date: slot.date,
        dose2_date: dose2Date,
      };
      const message = {
        kind: 'booking-changed' as const,
        nowMs,
        payload: await messageFor(tx, 'booking-changed', to, person),
      };
      const seats = {
        dose1SlotId: slot.id,
        campaignId: slot.campaign_id,
        facilityId: slot.facility_id,
        vaccineCode: slot.vaccine_code,
        dose2Date,
      };
      const moved = resultOfWrite(
        await tx.writeBookingTakingSeats({ kind: 'move', bookingId: booking.id, seats, dose1Date: slot.date, message }),
        dose2Date,
      );
      if (!moved.ok) throw new Rollback(moved.reason, moved.detail);
      await tx.releaseSeat(booking.dose1_slot_id);
      await tx.releaseSeat(booking.dose2_slot_id);
      return moved.value;
    });
    return result.ok ? ok(await viewOf(result.value)) : result;
  }

  async function cancelBooking(input: {
    requesterId: number;
    bookingNumber: string;
  }): Promise<Result<BookingView, BookingFailure>> {
    const result = await inTransaction(async (tx) => {
      const booking = await lockActiveBooking(tx, input.bookingNumber, input.requesterId);
      await tx.releaseSeat(booking.dose1_slot_id);
      await tx.releaseSeat(booking.dose2_slot_id);
      const nowMs = deps.clock.nowMs();
      const cancelled = await tx.markBookingCancelled(booking.id, nowMs);
      const person = await tx.findPerson(booking.person_id);
      if (person)
        await tx.insertOutboxMessage(cancelled.id, {
          kind: 'booking-cancelled',
          nowMs,
          payload: await messageFor(tx, 'booking-cancelled', cancelled, person),
        });
      return cancelled;
    });
    return result.ok ? ok(await viewOf(result.value)) : result;
  }

  async function lockActiveBooking(tx: BookingStore, bookingNumber: string, requesterId: number): Promise<BookingRow> {
    const booking = await tx.lockBookingForOwner(bookingNumber, requesterId);
    if (!booking) throw new Rollback('booking-not-found');
    if (booking.status !== 'active') throw new Rollback('booking-cancelled');
    return booking;
  }

  async function myBookings(requesterId: number): Promise<BookingView[]> {
    const rows = await store.findBookingsVisibleTo(requesterId);
    return Promise.all(rows.map(viewOf));
  }

  async function getBooking(
    requesterId: number,
    bookingNumber: string,
  ): Promise<Result<BookingView, 'booking-not-found'>> {
    const found = (await myBookings(requesterId)).find((b) => b.bookingNumber === bookingNumber);
    return found ? ok(found) : err('booking-not-found');
  }

  async function viewOf(b: BookingRow): Promise<BookingView> {
    return toBookingView(b, await store.findFacility(b.facility_id));
  }

  return { placeBooking, retriedBooking, changeBooking, cancelBooking, myBookings, getBooking };
}

export type BookingService = ReturnType<typeof createBookingService>;

export interface BookingView {
  bookingNumber: string;
  campaignId: string;
  status: 'active' | 'cancelled';
  isProxy: boolean;
  facility: {
    code: string;
    name: { ko: string; en: string };
    address: string;
    addressEn: string;
    regionCode: string;
  } | null;
  vaccineCode: string;
  dose1: { date: string; slotId: number };
  dose2: { date: string; slotId: number };
  createdAt: string;
  cancelledAt: string | null;
}

export function toBookingView(b: BookingRow, f: FacilityRow | undefined): BookingView {
  return {
    bookingNumber: b.booking_number,
    campaignId: b.campaign_id,
    status: b.status,
    isProxy: b.person_id !== b.requested_by_id,
    facility: f
      ? {
          code: f.code,
          name: { ko: f.name_ko, en: f.name_en },
          address: f.address,
          addressEn: f.address_en,
          regionCode: f.region_code,
        }
      : null,
    vaccineCode: b.vaccine_code,
    dose1: { date: b.dose1_date, slotId: b.dose1_slot_id },
    dose2: { date: b.dose2_date, slotId: b.dose2_slot_id },
    createdAt: new Date(b.created_at).toISOString(),
    cancelledAt: b.cancelled_at ? new Date(b.cancelled_at).toISOString() : null,
  };
}
