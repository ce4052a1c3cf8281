/**
 * The booking rules, pure: what a slot must be for a person to book it, the first date that can be
 * booked, the dose-2 date and which vaccine codes a cohort takes. Time comes in as `nowMs` (the
 * server clock, read by the caller): no rule reads a clock of its own.
 */
import type { CampaignRules } from '../eligibility/rules.ts';
import { birthDayDigitOf, cohortFor } from '../eligibility/openings.ts';
import { addDays, formatLocalDate, parseLocalDate, seoulWallClockAt } from '../platform/calendar.ts';
import type { SlotRow } from './booking.table.ts';

export type SlotProblem = 'slot-not-found' | 'not-in-cohort' | 'wrong-vaccine' | 'wrong-rotation-group';

/** The first date a slot can be booked for, 'YYYY-MM-DD': tomorrow in Seoul (today's slots are closed). */
export function firstBookableDate(nowMs: number): string {
  return formatLocalDate(addDays(seoulWallClockAt(nowMs).date, 1));
}

/** `mrna` means whichever of Pfizer or Moderna a facility has. */
export function vaccineCodesFor(cohortCode: string): string[] {
  return cohortCode === 'mrna' ? ['pfizer', 'moderna'] : [cohortCode];
}

/** The dose-2 date: `intervalDays` after the dose-1 date ('YYYY-MM-DD' both). */
export function dose2DateFor(dose1Date: string, intervalDays: number): string {
  const d = parseLocalDate(dose1Date);
  if (!d) throw new Error(`not a calendar date: ${dose1Date}`);
  return formatLocalDate(addDays(d, intervalDays));
}

/**
 * Why `slot` cannot be booked by a person born on `birthDate` in this campaign at `nowMs`, or
 * undefined when it can. A slot of another campaign, a dose-2 slot and a past or same-day slot are
 * all "not found": they are not on offer. Capacity is not checked here (the store does, atomically).
 */
export function slotProblem(
  slot: SlotRow | undefined,
  a: { campaignId: string; birthDate: string; rules: CampaignRules; nowMs: number },
): SlotProblem | undefined {
  if (!slot || slot.campaign_id !== a.campaignId || slot.dose !== 1 || slot.date < firstBookableDate(a.nowMs))
    return 'slot-not-found';
  const cohort = cohortFor(a.rules, a.birthDate);
  if (!cohort) return 'not-in-cohort';
  if (!vaccineCodesFor(cohort.vaccine.code).includes(slot.vaccine_code)) return 'wrong-vaccine';
  if (slot.rotation_group !== null && slot.rotation_group !== birthDayDigitOf(a.birthDate))
    return 'wrong-rotation-group';
  return undefined;
}

/** The dose-2 date for a person's booking of a dose-1 slot on `dose1Date` (their cohort's interval). */
export function dose2DateOfBooking(rules: CampaignRules, birthDate: string, dose1Date: string): string {
  const cohort = cohortFor(rules, birthDate);
  if (!cohort) throw new Error('dose2DateOfBooking: no cohort (check slotProblem first)');
  return dose2DateFor(dose1Date, cohort.vaccine.doseIntervalDays);
}
