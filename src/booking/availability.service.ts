/**
 * What a person may do in a campaign before booking: their eligibility decision (server time
 * only) and the open slots that fit them (their cohort's vaccine, their rotation quota group).
 * Free seats per region are public and cached for at most a second (searches must reflect seats
 * within a second): the answer is the same for everyone. Slot searches are never cached.
 */
import type { Clock } from '../platform/clock.ts';
import { err, ok, type Result } from '../platform/result.ts';
import { checkEligibility, type EligibilityDecision } from '../eligibility/eligibility.ts';
import { birthDayDigitOf, cohortFor } from '../eligibility/openings.ts';
import type { PersonRow } from '../people/people.table.ts';
import type { LiveCampaign } from './booking.service.ts';
import { firstBookableDate, vaccineCodesFor } from './booking-rules.ts';
import type * as SlotRepo from './slot.repository.ts';
import type { BookingRow } from './booking.table.ts';

/** What availability reads (kysely-booking-store.ts binds it to the pool). */
export interface AvailabilityReads {
  findPerson(personId: number): Promise<PersonRow | undefined>;
  findActiveBooking(campaignId: string, personId: number): Promise<BookingRow | undefined>;
  findBookingsVisibleTo(personId: number): Promise<BookingRow[]>;
  /** Dose-1 slots with free seats, with their facility, nearest dates first. */
  searchOpenSlots(q: SlotRepo.FacilitySearch): ReturnType<typeof SlotRepo.searchOpenSlots>;
  /** Free dose-1 seats per region from `fromDate` on. */
  freeSeatsByRegion(campaignId: string, fromDate: string): ReturnType<typeof SlotRepo.freeSeatsByRegion>;
  /** Free dose-1 seats in all from `fromDate` on. */
  freeSeatsTotal(campaignId: string, fromDate: string): Promise<number>;
}

export interface AvailabilityDeps {
  clock: Clock;
  liveCampaign(id: string): Promise<LiveCampaign | undefined>;
  reads: AvailabilityReads;
  regionCacheTtlMs?: number;
}

export interface SlotFilters {
  regionCode?: string | undefined;
  districtCode?: string | undefined;
  date?: string | undefined;
  limit?: number | undefined;
}

export function createAvailabilityService(deps: AvailabilityDeps) {
  const regionCache = new Map<
    string,
    { atMs: number; value: Awaited<ReturnType<typeof SlotRepo.freeSeatsByRegion>> }
  >();
  const ttl = deps.regionCacheTtlMs ?? 1_000;

  async function eligibilityOf(
    personId: number,
    campaignId: string,
  ): Promise<Result<EligibilityDecision, 'campaign-not-found' | 'unauthenticated'>> {
    const campaign = await deps.liveCampaign(campaignId);
    if (!campaign) return err('campaign-not-found');
    const person = await deps.reads.findPerson(personId);
    if (!person) return err('unauthenticated');
    const active = await deps.reads.findActiveBooking(campaignId, personId);
    return ok(
      checkEligibility(
        { birthDate: person.birth_date, hasActiveBooking: active !== undefined },
        campaign.rules,
        deps.clock.nowMs(),
      ),
    );
  }

  async function openSlotsFor(personId: number, campaignId: string, f: SlotFilters) {
    const campaign = await deps.liveCampaign(campaignId);
    if (!campaign) return err('campaign-not-found' as const);
    const person = await deps.reads.findPerson(personId);
    const cohort = person && cohortFor(campaign.rules, person.birth_date);
    if (!person || !cohort) return err('not-in-cohort' as const);
    const rows = await deps.reads.searchOpenSlots({
      campaignId,
      vaccineCodes: vaccineCodesFor(cohort.vaccine.code),
      regionCode: f.regionCode,
      districtCode: f.districtCode,
      date: f.date,
      fromDate: firstBookableDate(deps.clock.nowMs()),
      rotationGroup: birthDayDigitOf(person.birth_date),
      limit: f.limit ?? 50,
      spreadSeed: person.id,
    });
    return ok({ doseIntervalDays: cohort.vaccine.doseIntervalDays, slots: rows });
  }

  /**
   * Slots a booking may move to: for the person it is for (their cohort and rotation group), in its
   * campaign. Needs no admission: only the holder of an active booking gets here, and a change
   * moves a seat rather than taking a new one.
   */
  async function changeOptionsFor(requesterId: number, bookingNumber: string, f: SlotFilters) {
    const visible = await deps.reads.findBookingsVisibleTo(requesterId);
    const booking = visible.find((b) => b.booking_number === bookingNumber && b.status === 'active');
    if (!booking) return err('booking-not-found' as const);
    return openSlotsFor(booking.person_id, booking.campaign_id, f);
  }

  async function freeSeatsByRegion(campaignId: string) {
    if (!(await deps.liveCampaign(campaignId))) return err('campaign-not-found' as const);
    const hit = regionCache.get(campaignId);
    const now = deps.clock.nowMs();
    if (hit && now - hit.atMs < ttl) return ok(hit.value);
    const value = await deps.reads.freeSeatsByRegion(campaignId, firstBookableDate(deps.clock.nowMs()));
    regionCache.set(campaignId, { atMs: now, value });
    return ok(value);
  }

  /**
   * The campaign's free dose-1 seats in all, uncached: the waiting room reads it every few seconds
   * (`seatsEveryMs`) on each process; the regions (and their facilities) are for people and operators.
   */
  async function freeSeatsTotal(campaignId: string) {
    if (!(await deps.liveCampaign(campaignId))) return err('campaign-not-found' as const);
    return ok(await deps.reads.freeSeatsTotal(campaignId, firstBookableDate(deps.clock.nowMs())));
  }

  return { eligibilityOf, openSlotsFor, changeOptionsFor, freeSeatsByRegion, freeSeatsTotal };
}

export type AvailabilityService = ReturnType<typeof createAvailabilityService>;
