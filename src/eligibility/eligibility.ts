/**
 * The eligibility engine: one pure function of (person, campaign rules, now) for every round.
 * `nowMs` is epoch milliseconds from the server's Clock; nothing here reads the system time or
 * the process time zone, so the answer at 03:00 KST is the answer at 03:00 KST on any machine.
 */
import {
  alreadyBookedMessage,
  eligibleMessage,
  notInCohortMessage,
  notYetMessage,
  windowClosedMessage,
} from './eligibility-messages.ts';
import { admits, assertBirthDate, cohortFor, isOpenAt, openingsOf, type Opening } from './openings.ts';
import type { CampaignRules, Cohort, LocalizedText, Phase } from './rules.ts';

export { birthDayDigitOf, type Opening } from './openings.ts';

/** What the engine needs to know about a person. `birthDate` must be a real `YYYY-MM-DD` date. */
export interface EligibilityQuery {
  readonly birthDate: string;
  /** Whether the person already holds a live booking in this campaign. */
  readonly hasActiveBooking: boolean;
}

/** The decision, with a message a citizen can read. Instants are epoch ms. */
export type EligibilityDecision =
  | { status: 'eligible'; phaseId: string; closesAtMs: number; cohort: Cohort; message: LocalizedText }
  | { status: 'not-yet'; phaseId: string; opensAtMs: number; cohort: Cohort; message: LocalizedText }
  | { status: 'window-closed'; lastClosedAtMs: number; cohort: Cohort; message: LocalizedText }
  | { status: 'already-booked'; cohort: Cohort; message: LocalizedText }
  | { status: 'not-in-cohort'; message: LocalizedText };

export type EligibilityStatus = EligibilityDecision['status'];

/**
 * May this person book now? Order of questions: in a cohort at all → already booked → an opening
 * that admits them is open now (the one closing last wins) → one opens later (the earliest) →
 * otherwise their last opening has closed. Throws RangeError if `birthDate` is not a calendar date.
 * `openings` is `openingsOf(campaign)`, passed by a caller that keeps it per campaign version.
 */
export function checkEligibility(
  query: EligibilityQuery,
  campaign: CampaignRules,
  nowMs: number,
  openings: readonly Opening[] = openingsOf(campaign),
): EligibilityDecision {
  assertBirthDate(query.birthDate);
  const cohort = cohortFor(campaign, query.birthDate);
  if (!cohort) return { status: 'not-in-cohort', message: notInCohortMessage(campaign) };
  if (query.hasActiveBooking) return { status: 'already-booked', cohort, message: alreadyBookedMessage() };
  const schedule = openings.filter((opening) => admits(opening, query.birthDate));
  const open = latestClosing(schedule.filter((o) => isOpenAt(o, nowMs)));
  if (open) {
    const { phaseId, closesAtMs } = open;
    return { status: 'eligible', phaseId, closesAtMs, cohort, message: eligibleMessage(closesAtMs) };
  }
  const next = schedule.find((o) => o.opensAtMs > nowMs);
  if (next) {
    const { phaseId, opensAtMs } = next;
    return { status: 'not-yet', phaseId, opensAtMs, cohort, message: notYetMessage(opensAtMs) };
  }
  const last = latestClosing(schedule);
  if (!last) return { status: 'not-in-cohort', message: notInCohortMessage(campaign) };
  const lastClosedAtMs = last.closesAtMs;
  return { status: 'window-closed', lastClosedAtMs, cohort, message: windowClosedMessage(lastClosedAtMs) };
}

/**
 * Every opening that admits this birth date, in order: the public "when can I book?" answer.
 * Empty when the birth date is in no cohort. Throws RangeError if it is not a calendar date.
 */
export function scheduleFor(campaign: CampaignRules, birthDate: string): readonly Opening[] {
  assertBirthDate(birthDate);
  if (!cohortFor(campaign, birthDate)) return [];
  return openingsOf(campaign).filter((opening) => admits(opening, birthDate));
}

function latestClosing(openings: readonly Opening[]): Opening | undefined {
  return openings.reduce<Opening | undefined>(
    (best, o) => (!best || o.closesAtMs > best.closesAtMs ? o : best),
    undefined,
  );
}

/** One phase that is open at the previewed instant. */
export interface PhasePreview {
  readonly phaseId: string;
  readonly kind: Phase['kind'];
  readonly label: LocalizedText;
  /** Earliest start and latest end among this phase's openings that are open at the instant. */
  readonly opensAtMs: number;
  readonly closesAtMs: number;
  /** Birth dates the phase admits, cut to the cohorts (inclusive `YYYY-MM-DD`). */
  readonly bornRanges: readonly { bornFrom: string; bornTo: string }[];
  /** Rotation only: the day-of-birth digits open now, ascending. */
  readonly birthDayDigits?: readonly number[];
  /** People in the given population this phase admits now. */
  readonly people: number;
}

export interface CampaignPreview {
  readonly atMs: number;
  readonly phases: readonly PhasePreview[];
  /** People admitted by at least one open phase (each person counted once). */
  readonly people: number;
}

/**
 * Who could book at `atMs`: the open phases, their birth ranges and rotation digits, and how many
 * of a population (`countsByBirthDate`: `YYYY-MM-DD` → people) that is, in total and per phase.
 * People with an active booking are not known here; pass the population still to book.
 */
export function previewAt(
  campaign: CampaignRules,
  atMs: number,
  countsByBirthDate: ReadonlyMap<string, number>,
): CampaignPreview {
  const open = openingsOf(campaign).filter((o) => isOpenAt(o, atMs));
  const phaseIds = [...new Set(open.map((o) => o.phaseId))];
  const groups = phaseIds.map((id) => open.filter((o) => o.phaseId === id));
  const peopleByPhase = phaseIds.map(() => 0);
  let people = 0;
  for (const [birthDate, count] of countsByBirthDate) {
    assertBirthDate(birthDate);
    if (!cohortFor(campaign, birthDate)) continue;
    const admitted = groups.map((group) => group.some((o) => admits(o, birthDate)));
    admitted.forEach((isAdmitted, i) => {
      if (isAdmitted) peopleByPhase[i] = (peopleByPhase[i] ?? 0) + count;
    });
    if (admitted.includes(true)) people += count;
  }
  const phases = groups.map((group, i) => phasePreview(campaign, group, peopleByPhase[i] ?? 0));
  return { atMs, phases, people };
}

function phasePreview(campaign: CampaignRules, group: readonly Opening[], people: number): PhasePreview {
  const [first] = group as [Opening, ...Opening[]];
  const digits = group.flatMap((o) => (o.birthDayDigit === undefined ? [] : [o.birthDayDigit]));
  return {
    phaseId: first.phaseId,
    kind: first.kind,
    label: first.label,
    opensAtMs: Math.min(...group.map((o) => o.opensAtMs)),
    closesAtMs: Math.max(...group.map((o) => o.closesAtMs)),
    bornRanges: bornRangesOf(campaign, first),
    ...(digits.length > 0 ? { birthDayDigits: [...new Set(digits)].sort((a, b) => a - b) } : {}),
    people,
  };
}

function bornRangesOf(campaign: CampaignRules, opening: Opening): { bornFrom: string; bornTo: string }[] {
  return campaign.cohorts.flatMap((cohort) => {
    const bornFrom =
      opening.bornFrom !== undefined && opening.bornFrom > cohort.bornFrom ? opening.bornFrom : cohort.bornFrom;
    const bornTo = opening.bornTo !== undefined && opening.bornTo < cohort.bornTo ? opening.bornTo : cohort.bornTo;
    return bornFrom <= bornTo ? [{ bornFrom, bornTo }] : [];
  });
}
