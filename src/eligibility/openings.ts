/**
 * Turns a campaign's phases into concrete openings: half-open intervals [opensAtMs, closesAtMs)
 * in epoch milliseconds, each with the birth dates it admits. A window phase is one opening; a
 * rotation phase is one opening per rotation day. Everything downstream (eligibility, schedules,
 * previews) asks the same two questions of these: is it open at t, and does it admit this person.
 */
import type { CampaignRules, Cohort, LocalizedText, Phase, RotationPhase, WindowPhase } from './rules.ts';
import { addDays, parseInstant, parseLocalDate, parseLocalTime, seoulLocalToEpochMs } from '../platform/calendar.ts';

/** One interval during which some people may book. */
export interface Opening {
  readonly phaseId: string;
  readonly kind: Phase['kind'];
  readonly label: LocalizedText;
  /** First instant at which booking is allowed (inclusive). */
  readonly opensAtMs: number;
  /** First instant at which booking is no longer allowed (exclusive). */
  readonly closesAtMs: number;
  /** Inclusive birth-date bounds of the phase, `YYYY-MM-DD`; absent means unbounded. */
  readonly bornFrom?: string;
  readonly bornTo?: string;
  /** Rotation only: the last digit of the day of birth this opening admits. */
  readonly birthDayDigit?: number;
}

/** Last digit of the day of the month of a `YYYY-MM-DD` birth date: 10th → 0, 31st → 1, 29 Feb → 9. */
export function birthDayDigitOf(birthDate: string): number {
  return Number(birthDate.slice(8, 10)) % 10;
}

/** Throws on a birth date that is not a real calendar date: callers validate input at the edge. */
export function assertBirthDate(birthDate: string): void {
  if (!parseLocalDate(birthDate)) throw new RangeError(`birth date ${birthDate} is not a calendar date YYYY-MM-DD`);
}

export function cohortFor(campaign: CampaignRules, birthDate: string): Cohort | undefined {
  return campaign.cohorts.find((c) => c.bornFrom <= birthDate && birthDate <= c.bornTo);
}

export function isOpenAt(opening: Opening, atMs: number): boolean {
  return opening.opensAtMs <= atMs && atMs < opening.closesAtMs;
}

/** Whether the opening's own conditions (phase birth range, rotation digit) admit `birthDate`. */
export function admits(opening: Opening, birthDate: string): boolean {
  if (opening.bornFrom !== undefined && birthDate < opening.bornFrom) return false;
  if (opening.bornTo !== undefined && birthDate > opening.bornTo) return false;
  return opening.birthDayDigit === undefined || opening.birthDayDigit === birthDayDigitOf(birthDate);
}

/**
 * Every opening of a campaign, sorted by opening instant. Expects rules accepted by
 * validateCampaignRules. Recomputed on each call (a few dozen openings at most): no hidden cache,
 * so every test run really exercises the date arithmetic.
 */
export function openingsOf(campaign: CampaignRules): readonly Opening[] {
  return campaign.phases
    .flatMap((phase) => (phase.kind === 'window' ? [windowOpening(phase)] : rotationOpenings(phase)))
    .sort((a, b) => a.opensAtMs - b.opensAtMs || a.closesAtMs - b.closesAtMs);
}

function windowOpening(phase: WindowPhase): Opening {
  return {
    ...phaseBasics(phase),
    opensAtMs: mustParse(parseInstant(phase.opensAt), phase.opensAt),
    closesAtMs: mustParse(parseInstant(phase.closesAt), phase.closesAt),
  };
}

function rotationOpenings(phase: RotationPhase): Opening[] {
  const firstDay = mustParse(parseLocalDate(phase.firstDay), phase.firstDay);
  const opensAtMinute = mustParse(parseLocalTime(phase.opensAtLocal), phase.opensAtLocal);
  const closesAtMinute = mustParse(parseLocalTime(phase.closesAtLocalNextDay), phase.closesAtLocalNextDay);
  return Array.from({ length: phase.days }, (_, i) => ({
    ...phaseBasics(phase),
    opensAtMs: seoulLocalToEpochMs(addDays(firstDay, i), opensAtMinute),
    closesAtMs: seoulLocalToEpochMs(addDays(firstDay, i + 1), closesAtMinute),
    birthDayDigit: (phase.firstDigit + i) % 10,
  }));
}

function phaseBasics(phase: Phase) {
  return {
    phaseId: phase.id,
    kind: phase.kind,
    label: phase.label,
    ...(phase.bornFrom === undefined ? {} : { bornFrom: phase.bornFrom }),
    ...(phase.bornTo === undefined ? {} : { bornTo: phase.bornTo }),
  };
}

function mustParse<T>(value: T | undefined, text: string): T {
  if (value === undefined) throw new TypeError(`unvalidated campaign rules: cannot read '${text}'`);
  return value;
}
