import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkEligibility } from './eligibility.ts';
import { demoCampaign, loadSeedCampaigns } from './seed-campaigns.ts';
import { MINUTE_MS, allSeedCampaigns, kst, newRulesDocument, seedCampaign } from './eligibility.fixtures.ts';
import { describeInEachProcessTimeZone } from '../platform/time-zones.fixtures.ts';

const status = (campaignId: string, birthDate: string, at: string) =>
  checkEligibility({ birthDate, hasActiveBooking: false }, seedCampaign(campaignId), kst(at));

describe('loadSeedCampaigns', () => {
  it('loads and validates the five July-August 2021 rounds', () => {
    assert.deepEqual(
      allSeedCampaigns().map((c) => c.id),
      ['2021-07-50-52', '2021-07-50-54', '2021-07-53-54', '2021-07-55-59', '2021-08-18-49'],
    );
  });

  it('records proxy booking as allowed for the 50s rounds and banned for 18-49', () => {
    assert.deepEqual(
      allSeedCampaigns().map((c) => [c.id, c.proxyBooking]),
      [
        ['2021-07-50-52', 'allowed'],
        ['2021-07-50-54', 'allowed'],
        ['2021-07-53-54', 'allowed'],
        ['2021-07-55-59', 'allowed'],
        ['2021-08-18-49', 'banned'],
      ],
    );
  });

  it('gives mRNA dose 2 after 4 weeks in the July rounds and 6 weeks in August', () => {
    assert.deepEqual(
      allSeedCampaigns().map((c) => [c.id, c.cohorts.map((k) => k.vaccine.doseIntervalDays)]),
      [
        ['2021-07-50-52', [28]],
        ['2021-07-50-54', [28]],
        ['2021-07-53-54', [28]],
        ['2021-07-55-59', [28]],
        ['2021-08-18-49', [42]],
      ],
    );
  });

  it('stops with every problem of every bad file listed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'campaigns-'));
    try {
      writeFileSync(join(dir, 'broken.json'), '{ not json');
      writeFileSync(
        join(dir, 'test-round.json'),
        JSON.stringify({ ...newRulesDocument(), version: 0, timeZone: 'UTC' }),
      );
      writeFileSync(join(dir, 'misnamed.json'), JSON.stringify(newRulesDocument()));
      assert.throws(
        () => loadSeedCampaigns(dir),
        (error: Error) => {
          const lines = error.message.split('\n').slice(1);
          assert.equal(lines.length, 4, error.message);
          assert.match(lines[0] ?? '', /^ {2}- broken\.json: \(document\) is not JSON: /);
          assert.equal(lines[1], "  - misnamed.json: /id 'test-round' must match the file name");
          assert.equal(lines[2], '  - test-round.json: /version must be at least 1');
          assert.equal(lines[3], "  - test-round.json: /timeZone must be 'Asia/Seoul'");
          return true;
        },
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describeInEachProcessTimeZone('the 2021 rounds as seeded', () => {
  it('keeps a 53-54 year old born 1968-05-05 ELIGIBLE at 03:00 KST on 20 Jul (the exact 2021 bug)', () => {
    const decision = status('2021-07-53-54', '1968-05-05', '2021-07-20T03:00');
    assert.equal(decision.status, 'eligible');
    assert.equal(decision.status === 'eligible' && decision.closesAtMs, kst('2021-07-20T18:00'));
  });

  const cases: [string, string, string, string, Record<string, unknown>][] = [
    [
      '55-59 at the midnight opening of 12 Jul',
      '2021-07-55-59',
      '1964-03-03',
      '2021-07-12T00:00',
      { status: 'eligible', phaseId: 'first-opening', closesAtMs: kst('2021-07-12T15:30') },
    ],
    [
      '55-59 between the early close and the reopening',
      '2021-07-55-59',
      '1962-01-01',
      '2021-07-13T12:00',
      { status: 'not-yet', phaseId: 'reopening', opensAtMs: kst('2021-07-14T20:00') },
    ],
    [
      '55-59 after 24 Jul 18:00',
      '2021-07-55-59',
      '1966-12-31',
      '2021-07-24T18:00',
      { status: 'window-closed', lastClosedAtMs: kst('2021-07-24T18:00') },
    ],
    [
      '50-52 at 20 Jul 20:00',
      '2021-07-50-52',
      '1970-06-15',
      '2021-07-20T20:00',
      { status: 'eligible', phaseId: 'window', closesAtMs: kst('2021-07-21T18:00') },
    ],
    [
      '50-52 while 53-54 books (19 Jul 21:00)',
      '2021-07-50-52',
      '1970-06-15',
      '2021-07-19T21:00',
      { status: 'not-yet', phaseId: 'window', opensAtMs: kst('2021-07-20T20:00') },
    ],
    [
      '50-54 catch-up for a 53 year old at 21 Jul 20:00',
      '2021-07-50-54',
      '1968-05-05',
      '2021-07-21T20:00',
      { status: 'eligible', phaseId: 'window', closesAtMs: kst('2021-07-24T18:00') },
    ],
    [
      '18-49 rotation day 1 for someone born on the 9th',
      '2021-08-18-49',
      '1990-08-09',
      '2021-08-09T20:00',
      { status: 'eligible', phaseId: 'rotation', closesAtMs: kst('2021-08-10T18:00') },
    ],
    [
      '18-49 rotation day 2 for someone born on the 30th',
      '2021-08-18-49',
      '2003-12-30',
      '2021-08-10T23:30',
      { status: 'eligible', phaseId: 'rotation', closesAtMs: kst('2021-08-11T18:00') },
    ],
  ];
  for (const [title, campaignId, born, at, expected] of cases) {
    it(`answers ${String(expected['status'])} for ${title}`, () => {
      const {
        message: _message,
        cohort: _cohort,
        ...decision
      } = status(campaignId, born, at) as { message: unknown; cohort: unknown };
      assert.deepEqual(decision, expected);
    });
  }
});

describeInEachProcessTimeZone('demoCampaign', () => {
  const nowMs = kst('2024-03-01T09:00:00.250');

  it('opens the configured delay after now and stays open 30 days', () => {
    const campaign = demoCampaign(nowMs, { opensInMs: 5 * MINUTE_MS });
    const at = (ms: number) => checkEligibility({ birthDate: '1940-01-01', hasActiveBooking: false }, campaign, ms);
    const opensAtMs = nowMs + 5 * MINUTE_MS;
    const closesAtMs = opensAtMs + 30 * 24 * 60 * MINUTE_MS;
    assert.equal(campaign.phases[0]?.kind === 'window' && campaign.phases[0].opensAt, '2024-03-01T09:05:00.250+09:00');
    assert.deepEqual(
      [at(opensAtMs - 1).status, at(opensAtMs).status, at(closesAtMs - 1).status, at(closesAtMs).status],
      ['not-yet', 'eligible', 'eligible', 'window-closed'],
    );
  });

  it('covers people born 1940-01-01 to 2007-12-31 and no one else', () => {
    const campaign = demoCampaign(nowMs, { opensInMs: 0 });
    const at = (birthDate: string) => checkEligibility({ birthDate, hasActiveBooking: false }, campaign, nowMs).status;
    assert.deepEqual(['1939-12-31', '1940-01-01', '2007-12-31', '2008-01-01'].map(at), [
      'not-in-cohort',
      'eligible',
      'eligible',
      'not-in-cohort',
    ]);
  });
});
