import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { birthDayDigitOf, checkEligibility, scheduleFor, type EligibilityDecision } from './eligibility.ts';
import { MINUTE_MS, allSeedCampaigns, kst, seedCampaign } from './eligibility.fixtures.ts';
import { openingsOf } from './openings.ts';
import { describeInEachProcessTimeZone } from '../platform/time-zones.fixtures.ts';

const ask = (campaignId: string, birthDate: string, nowMs: number, hasActiveBooking = false) =>
  checkEligibility({ birthDate, hasActiveBooking }, seedCampaign(campaignId), nowMs);

/** The decision without its cohort and message, for compact exact comparisons. */
function outcome(decision: EligibilityDecision): Record<string, unknown> {
  const { message: _message, ...rest } = decision;
  return 'cohort' in rest ? { ...rest, cohort: rest.cohort.id } : rest;
}

describeInEachProcessTimeZone(
  'checkEligibility at the edges of a window (53-54 round, 19 Jul 20:00 to 20 Jul 18:00 KST)',
  () => {
    const born = '1968-05-05';
    const opensAtMs = kst('2021-07-19T20:00');
    const closesAtMs = kst('2021-07-20T18:00');
    const eligible = { status: 'eligible', phaseId: 'window', closesAtMs, cohort: 'born-1967-1968' };
    const notYet = { status: 'not-yet', phaseId: 'window', opensAtMs, cohort: 'born-1967-1968' };

    const cases: [string, number, Record<string, unknown>][] = [
      ['the minute before it opens', opensAtMs - MINUTE_MS, notYet],
      ['the last millisecond before it opens', opensAtMs - 1, notYet],
      ['the instant it opens', opensAtMs, eligible],
      ['one millisecond after it opens', opensAtMs + 1, eligible],
      ['the last millisecond before midnight', kst('2021-07-19T23:59:59.999'), eligible],
      ['midnight', kst('2021-07-20T00:00'), eligible],
      ['03:00 the next morning (the 2021 "not eligible" bug)', kst('2021-07-20T03:00'), eligible],
      ['the minute before it closes', closesAtMs - MINUTE_MS, eligible],
      ['the last millisecond before it closes', closesAtMs - 1, eligible],
      [
        'the instant it closes',
        closesAtMs,
        { status: 'window-closed', lastClosedAtMs: closesAtMs, cohort: 'born-1967-1968' },
      ],
    ];
    for (const [when, nowMs, expected] of cases) {
      it(`answers ${String(expected['status'])} at ${when}`, () => {
        const decision = ask('2021-07-53-54', born, nowMs);
        assert.deepEqual(outcome(decision), expected);
      });
    }

    it('admits the first and last birth dates of the cohort and no one outside it', () => {
      const now = kst('2021-07-20T03:00');
      assert.equal(ask('2021-07-53-54', '1967-01-01', now).status, 'eligible');
      assert.equal(ask('2021-07-53-54', '1968-12-31', now).status, 'eligible');
      assert.equal(ask('2021-07-53-54', '1966-12-31', now).status, 'not-in-cohort');
      assert.equal(ask('2021-07-53-54', '1969-01-01', now).status, 'not-in-cohort');
    });

    it('refuses a second booking for someone who already holds one', () => {
      const decision = ask('2021-07-53-54', born, kst('2021-07-20T03:00'), true);
      assert.deepEqual(outcome(decision), { status: 'already-booked', cohort: 'born-1967-1968' });
    });

    it('tells the citizen when booking opens, in Korea time', () => {
      const decision = ask('2021-07-53-54', born, kst('2021-07-19T12:00'));
      assert.deepEqual(decision.message, {
        ko: '2021년 7월 19일 20:00(한국 시간)부터 예약할 수 있습니다.',
        en: 'Your booking opens on 19 Jul 2021 at 20:00 (Korea time).',
      });
    });

    it('tells the citizen until when they can book, and who the round is for', () => {
      const open = ask('2021-07-53-54', born, kst('2021-07-20T03:00'));
      const outside = ask('2021-07-53-54', '1990-01-01', kst('2021-07-20T03:00'));
      assert.equal(open.message.en, 'You can book now, until 20 Jul 2021 at 18:00 (Korea time).');
      assert.equal(outside.message.en, 'This booking is for people born from 1 Jan 1967 to 31 Dec 1968.');
      assert.equal(outside.message.ko, '이번 예약은 1967년 1월 1일 ~ 1968년 12월 31일 출생자를 대상으로 합니다.');
    });
  },
);

/** The real 2021 rotation: the August date on which each last digit of the birth day opened. */
const ROTATION_DAY_OF_AUGUST_BY_DIGIT: Record<number, number> = {
  9: 9,
  0: 10,
  1: 11,
  2: 12,
  3: 13,
  4: 14,
  5: 15,
  6: 16,
  7: 17,
  8: 18,
};

const aug = (day: number, time: string) => kst(`2021-08-${String(day).padStart(2, '0')}T${time}`);

/** Every day of the month 1..31 (January 1985 has 31), plus 29 February in two leap years. */
const ROTATION_BIRTH_DATES: [string, number][] = [
  ...Array.from({ length: 31 }, (_, i): [string, number] => [
    `1985-01-${String(i + 1).padStart(2, '0')}`,
    (i + 1) % 10,
  ]),
  ['1980-02-29', 9],
  ['2000-02-29', 9],
];

describeInEachProcessTimeZone('checkEligibility in the 10-day rotation (18-49 round, 9-18 Aug 2021)', () => {
  for (const [born, digit] of ROTATION_BIRTH_DATES) {
    const day = ROTATION_DAY_OF_AUGUST_BY_DIGIT[digit] ?? NaN;
    it(`opens for someone born ${born} (digit ${digit}) on ${day} Aug 20:00 until ${day + 1} Aug 18:00`, () => {
      const opensAtMs = aug(day, '20:00');
      const closesAtMs = aug(day + 1, '18:00');
      const at = (nowMs: number) => outcome(ask('2021-08-18-49', born, nowMs));
      const eligible = { status: 'eligible', phaseId: 'rotation', closesAtMs, cohort: 'born-1972-2003' };
      assert.deepEqual(at(opensAtMs - MINUTE_MS), {
        status: 'not-yet',
        phaseId: 'rotation',
        opensAtMs,
        cohort: 'born-1972-2003',
      });
      assert.deepEqual(at(opensAtMs), eligible);
      assert.deepEqual(at(opensAtMs + 1), eligible);
      assert.deepEqual(at(aug(day, '23:59:59.999')), eligible);
      assert.deepEqual(at(aug(day + 1, '00:00')), eligible);
      assert.deepEqual(at(closesAtMs - MINUTE_MS), eligible);
      const nextPhase = born.startsWith('2000')
        ? { phaseId: 'catch-up-18-35', opensAtMs: aug(20, '20:00') }
        : { phaseId: 'catch-up-36-49', opensAtMs: aug(19, '20:00') };
      assert.deepEqual(at(closesAtMs), { status: 'not-yet', ...nextPhase, cohort: 'born-1972-2003' });
    });

    it(`keeps someone born ${born} out of the other nine days' windows`, () => {
      const otherDays = Object.values(ROTATION_DAY_OF_AUGUST_BY_DIGIT).filter((d) => d !== day);
      const statuses = otherDays.map((d) => ask('2021-08-18-49', born, aug(d, '21:00')).status);
      assert.equal(statuses.length, 9);
      assert.ok(
        statuses.every((s) => s === 'not-yet'),
        statuses.join(','),
      );
    });
  }

  it('opens the 36-49 catch-up to those born 1972-1985 only, then the 18-35 one, then everyone', () => {
    const at = (born: string, nowMs: number) => outcome(ask('2021-08-18-49', born, nowMs));
    const cohort = 'born-1972-2003';
    assert.deepEqual(at('1985-12-31', aug(19, '20:00')), {
      status: 'eligible',
      phaseId: 'catch-up-36-49',
      closesAtMs: aug(20, '18:00'),
      cohort,
    });
    assert.deepEqual(at('1986-01-01', aug(19, '20:00')), {
      status: 'not-yet',
      phaseId: 'catch-up-18-35',
      opensAtMs: aug(20, '20:00'),
      cohort,
    });
    assert.deepEqual(at('1972-01-01', aug(20, '20:00')), {
      status: 'not-yet',
      phaseId: 'catch-up-everyone',
      opensAtMs: aug(21, '20:00'),
      cohort,
    });
    assert.deepEqual(at('1972-01-01', aug(21, '20:00')), {
      status: 'eligible',
      phaseId: 'catch-up-everyone',
      closesAtMs: kst('2021-09-18T18:00'),
      cohort,
    });
    assert.deepEqual(at('2003-12-31', kst('2021-09-18T18:00')), {
      status: 'window-closed',
      lastClosedAtMs: kst('2021-09-18T18:00'),
      cohort,
    });
  });

  it('refuses people born outside 1972-2003 whatever the time', () => {
    assert.equal(ask('2021-08-18-49', '1971-12-31', aug(9, '20:00')).status, 'not-in-cohort');
    assert.equal(ask('2021-08-18-49', '2004-01-09', aug(9, '20:00')).status, 'not-in-cohort');
  });
});

describe('scheduleFor', () => {
  it('lists the openings of someone born on the 10th: rotation on 10 Aug, 18-35 catch-up, then everyone', () => {
    const schedule = scheduleFor(seedCampaign('2021-08-18-49'), '1990-03-10');
    assert.deepEqual(
      schedule.map((o) => [o.phaseId, o.opensAtMs, o.closesAtMs, o.birthDayDigit]),
      [
        ['rotation', aug(10, '20:00'), aug(11, '18:00'), 0],
        ['catch-up-18-35', aug(20, '20:00'), aug(21, '18:00'), undefined],
        ['catch-up-everyone', aug(21, '20:00'), kst('2021-09-18T18:00'), undefined],
      ],
    );
  });

  it('is empty for someone outside every cohort', () => {
    assert.deepEqual(scheduleFor(seedCampaign('2021-08-18-49'), '1960-01-01'), []);
  });

  it('throws on a birth date that does not exist, rather than guess', () => {
    assert.throws(() => scheduleFor(seedCampaign('2021-08-18-49'), '1990-02-30'), RangeError);
    assert.throws(() => ask('2021-08-18-49', '1990-13-01', aug(9, '20:00')), RangeError);
  });
});

describe('birthDayDigitOf', () => {
  it('gives the 10-day rotation digit of a birth date', () => {
    assert.deepEqual(
      ['1980-01-09', '1980-01-19', '1980-01-29', '1980-01-30', '1980-01-31'].map(birthDayDigitOf),
      [9, 9, 9, 0, 1],
    );
  });
});

describe('checkEligibility with the openings worked out beforehand', () => {
  it('decides as it does working them out itself, for every seed campaign, birth day digit and hour of a fortnight', () => {
    for (const campaign of allSeedCampaigns()) {
      const openings = openingsOf(campaign);
      const start = Math.min(...openings.map((o) => o.opensAtMs)) - 86_400_000;
      for (let atMs = start; atMs < start + 16 * 86_400_000; atMs += 3_600_000)
        for (const birthDate of ['1950-03-11', '1968-05-05', '1975-12-29', '1990-07-20', '2010-01-01']) {
          const query = { birthDate, hasActiveBooking: false };
          assert.deepEqual(checkEligibility(query, campaign, atMs, openings), checkEligibility(query, campaign, atMs));
        }
    }
  });
});
