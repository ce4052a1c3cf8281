/**
 * The engine against an oracle written another way: Seoul wall-clock parts come from
 * Intl.DateTimeFormat (the platform's tz database, not our +9 h arithmetic), rotation days are
 * enumerated by brute force and compared as local date/time strings, window instants come from
 * Date.parse. Many random (birth date, instant) pairs, fixed seed, under three process time zones.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { checkEligibility } from './eligibility.ts';
import type { CampaignRules, Phase } from './rules.ts';
import { allSeedCampaigns, kst } from './eligibility.fixtures.ts';
import { describeInEachProcessTimeZone } from '../platform/time-zones.fixtures.ts';
import { demoCampaign } from './seed-campaigns.ts';

const SEOUL = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Seoul',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** Seoul's wall clock at `ms` as `{ date: 'YYYY-MM-DD', time: 'HH:MM' }`, per the tz database. */
function seoulWallClock(ms: number): { date: string; time: string } {
  const part = Object.fromEntries(SEOUL.formatToParts(ms).map((p) => [p.type, p.value]));
  return { date: `${part['year']}-${part['month']}-${part['day']}`, time: `${part['hour']}:${part['minute']}` };
}

/** The Seoul date `n` days after `date`, stepping from local noon so no midnight edge is near. */
const seoulDatePlus = (date: string, n: number) =>
  seoulWallClock(Date.parse(`${date}T12:00:00+09:00`) + n * 86_400_000).date;

interface OracleOpening {
  phaseId: string;
  opensAtMs: number;
  closesAtMs: number;
  isOpenAt(ms: number): boolean;
}

function oracleOpenings(phase: Phase, birthDate: string): OracleOpening[] {
  if ((phase.bornFrom ?? '0000-00-00') > birthDate || (phase.bornTo ?? '9999-99-99') < birthDate) return [];
  if (phase.kind === 'window') {
    const [opensAtMs, closesAtMs] = [Date.parse(phase.opensAt), Date.parse(phase.closesAt)];
    return [{ phaseId: phase.id, opensAtMs, closesAtMs, isOpenAt: (ms) => opensAtMs <= ms && ms < closesAtMs }];
  }
  const openings: OracleOpening[] = [];
  for (let i = 0; i < phase.days; i++) {
    if (birthDate.at(-1) !== String((phase.firstDigit + i) % 10)) continue;
    const day = seoulDatePlus(phase.firstDay, i);
    const nextDay = seoulDatePlus(phase.firstDay, i + 1);
    openings.push({
      phaseId: phase.id,
      opensAtMs: Date.parse(`${day}T${phase.opensAtLocal}:00+09:00`),
      closesAtMs: Date.parse(`${nextDay}T${phase.closesAtLocalNextDay}:00+09:00`),
      isOpenAt(ms) {
        const now = seoulWallClock(ms);
        return (
          (now.date === day && now.time >= phase.opensAtLocal) ||
          (now.date === nextDay && now.time < phase.closesAtLocalNextDay)
        );
      },
    });
  }
  return openings;
}

function oracleDecision(campaign: CampaignRules, birthDate: string, hasActiveBooking: boolean, nowMs: number) {
  const cohort = campaign.cohorts.find((c) => c.bornFrom <= birthDate && birthDate <= c.bornTo);
  if (!cohort) return { status: 'not-in-cohort' };
  if (hasActiveBooking) return { status: 'already-booked', cohort: cohort.id };
  const openings = campaign.phases.flatMap((phase) => oracleOpenings(phase, birthDate));
  const open = openings.filter((o) => o.isOpenAt(nowMs)).sort((a, b) => b.closesAtMs - a.closesAtMs)[0];
  if (open) return { status: 'eligible', phaseId: open.phaseId, closesAtMs: open.closesAtMs, cohort: cohort.id };
  const next = openings.filter((o) => o.opensAtMs > nowMs).sort((a, b) => a.opensAtMs - b.opensAtMs)[0];
  if (next) return { status: 'not-yet', phaseId: next.phaseId, opensAtMs: next.opensAtMs, cohort: cohort.id };
  return { status: 'window-closed', lastClosedAtMs: Math.max(...openings.map((o) => o.closesAtMs)), cohort: cohort.id };
}

const campaigns = [...allSeedCampaigns(), demoCampaign(kst('2021-08-01T09:30'), { opensInMs: 90 * 60_000 })];

const DAY = 86_400_000;
const epochDayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY;
const dateOfEpochDay = (epochDay: number) => new Date(epochDay * DAY).toISOString().slice(0, 10);
const TEN_DIGITS = Array.from({ length: 10 }, (_, i) => `1972-01-${String(i + 1).padStart(2, '0')}`);

/** Birth dates: anywhere 1935-2010, inside the campaign's cohorts, or a known tricky date. */
function birthDateFor(campaign: CampaignRules) {
  return fc.oneof(
    fc.integer({ min: epochDayOf('1935-01-01'), max: epochDayOf('2010-12-31') }).map(dateOfEpochDay),
    fc
      .constantFrom(...campaign.cohorts)
      .chain((c) => fc.integer({ min: epochDayOf(c.bornFrom), max: epochDayOf(c.bornTo) }).map(dateOfEpochDay)),
    fc.constantFrom(
      '1980-02-29',
      '2000-02-29',
      '1972-01-01',
      '2003-12-31',
      '1971-12-31',
      '2004-01-01',
      '1985-12-31',
      '1986-01-01',
      '1968-05-05',
      '1990-10-30',
      '1990-10-31',
    ),
  );
}

/** Instants: anywhere from two days before the campaign to two days after, or ±2 min of an edge. */
function instantFor(campaign: CampaignRules) {
  const openings = TEN_DIGITS.flatMap((born) => campaign.phases.flatMap((phase) => oracleOpenings(phase, born)));
  const edges = openings.flatMap((o) => [o.opensAtMs, o.closesAtMs]);
  return fc.oneof(
    fc.integer({ min: Math.min(...edges) - 2 * DAY, max: Math.max(...edges) + 2 * DAY }),
    fc
      .tuple(fc.constantFrom(...edges), fc.integer({ min: -120_000, max: 120_000 }))
      .map(([edge, delta]) => edge + delta),
  );
}

const hasActiveBooking = fc.oneof(
  { arbitrary: fc.constant(false), weight: 9 },
  { arbitrary: fc.constant(true), weight: 1 },
);
const cases = fc
  .constantFrom(...campaigns)
  .chain((campaign) => fc.tuple(fc.constant(campaign), birthDateFor(campaign), instantFor(campaign), hasActiveBooking));

describeInEachProcessTimeZone('checkEligibility agrees with an independent oracle', () => {
  it('on 6,000 random (campaign, birth date, instant) triples, edges included', () => {
    let eligibleSeen = 0;
    fc.assert(
      fc.property(cases, ([campaign, born, nowMs, booked]) => {
        const { message: _message, ...decision } = checkEligibility(
          { birthDate: born, hasActiveBooking: booked },
          campaign,
          nowMs,
        );
        const actual = 'cohort' in decision ? { ...decision, cohort: decision.cohort.id } : decision;
        if (actual.status === 'eligible') eligibleSeen++;
        assert.deepEqual(actual, oracleDecision(campaign, born, booked, nowMs));
      }),
      { seed: 20210720, numRuns: 6000 },
    );
    assert.ok(eligibleSeen > 1000, `only ${eligibleSeen} eligible cases: the generators miss the windows`);
  });
});
