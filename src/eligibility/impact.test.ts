import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { impactOf } from './impact.ts';
import { kst, seedCampaign } from './eligibility.fixtures.ts';
import { localizeRuleProblems } from './rule-problem-text.ts';
import { validateCampaignRules, type CampaignRules } from './rules.ts';

const population = new Map<string, number>([
  ['1971-03-09', 40],
  ['1971-03-19', 2],
  ['1971-07-10', 7],
  ['1972-01-01', 500],
  ['1985-12-31', 9],
  ['1986-01-01', 3],
  ['1950-05-05', 11],
]);

/** The 18-49 round of August 2021 with its birth range widened to people born in 1971. */
function widenedTo1971(): CampaignRules {
  const rules = structuredClone(seedCampaign('2021-08-18-49')) as CampaignRules & {
    cohorts: { bornFrom: string }[];
    phases: { id: string; bornFrom?: string }[];
  };
  rules.version = 2;
  rules.cohorts[0]!.bornFrom = '1971-01-01';
  rules.phases.find((p) => p.id === 'catch-up-36-49')!.bornFrom = '1971-01-01';
  const valid = validateCampaignRules(rules);
  assert.ok(valid.ok, JSON.stringify(valid));
  return valid.value;
}

describe('impactOf', () => {
  it('counts the people born in 1971 as gaining, by rotation digit, with when their first opening is', () => {
    const report = impactOf({ rules: seedCampaign('2021-08-18-49'), version: 1 }, widenedTo1971(), population);
    assert.deepEqual(report.totals, { gains: 49, loses: 0, moves: 0, unchanged: 523 });
    assert.equal(report.population, 572);
    assert.deepEqual(report.groups, [
      // Digit 9 opens on rotation day 1 (9 Aug 20:00), digit 0 on day 2 (10 Aug 20:00).
      {
        kind: 'gains',
        birthYear: 1971,
        birthDayDigit: 0,
        people: 7,
        firstOpensAtMsBefore: null,
        firstOpensAtMsAfter: kst('2021-08-10T20:00'),
        sampleBirthDates: ['1971-07-10'],
      },
      {
        kind: 'gains',
        birthYear: 1971,
        birthDayDigit: 9,
        people: 42,
        firstOpensAtMsBefore: null,
        firstOpensAtMsAfter: kst('2021-08-09T20:00'),
        sampleBirthDates: ['1971-03-09', '1971-03-19'],
      },
    ]);
  });

  it('counts losses and moved openings the other way round', () => {
    const widened = widenedTo1971();
    const back = { ...structuredClone(seedCampaign('2021-08-18-49')), version: 3 } as CampaignRules;
    const report = impactOf({ rules: widened, version: 2 }, back, population);
    assert.deepEqual(report.totals, { gains: 0, loses: 49, moves: 0, unchanged: 523 });
    const later = structuredClone(seedCampaign('2021-08-18-49'));
    (later.phases.find((p) => p.id === 'rotation') as { opensAtLocal: string }).opensAtLocal = '21:00';
    const moved = impactOf({ rules: seedCampaign('2021-08-18-49'), version: 1 }, later, population);
    assert.equal(moved.totals.moves, 500 + 9 + 3);
    assert.ok(
      moved.groups.every((g) => g.kind === 'moves' && g.firstOpensAtMsAfter! - g.firstOpensAtMsBefore! === 3_600_000),
    );
  });

  it('treats a campaign never live as everyone it admits gaining', () => {
    const report = impactOf(null, seedCampaign('2021-08-18-49'), population);
    assert.deepEqual(report.totals, { gains: 512, loses: 0, moves: 0, unchanged: 60 });
    assert.equal(report.liveVersion, null);
  });
});

describe('rule problems for operators', () => {
  it('words each problem in Korean and English and names its place', () => {
    const document = structuredClone(seedCampaign('2021-08-18-49')) as unknown as {
      phases: { closesAt?: string; days?: number }[];
    };
    document.phases[0]!.days = 0;
    const valid = validateCampaignRules(document);
    assert.equal(valid.ok, false);
    const problems = localizeRuleProblems(
      (valid as unknown as { detail: { problems: { path: string; message: string }[] } }).detail.problems,
      document,
    );
    assert.deepEqual(problems, [
      {
        path: '/phases/0/days',
        message: 'must be at least 1',
        messages: { ko: '1 이상이어야 합니다', en: 'must be at least 1' },
        place: {
          ko: "단계 1 '10부제 (생일 끝자리)' › 일수",
          en: "Phase 1 '10-day rotation by last digit of birth day' › days",
        },
      },
    ]);
  });

  it('translates every semantic template and keeps the English words where none matches', () => {
    const cases: [string, string][] = [
      ['2003-02-30 is not a calendar date', '2003-02-30은(는) 달력에 없는 날짜입니다'],
      ['must not be before bornFrom (1990-01-01)', '출생 시작일(bornFrom, 1990-01-01)보다 앞설 수 없습니다'],
      ["duplicate phase id 'rotation' (also at /phases/0)", "단계 id 'rotation'가 중복됩니다 (/phases/0에도 있음)"],
      [
        'people born 1976-01-01..1979-12-31 are admitted by no phase and could never book',
        '출생일 1976-01-01..1979-12-31인 사람은 어느 단계에서도 예약할 수 없습니다',
      ],
      ['Expected string', '규칙 오류: Expected string'],
    ];
    for (const [en, ko] of cases)
      assert.equal(localizeRuleProblems([{ path: '', message: en }], {})[0]!.messages.ko, ko);
  });
});
