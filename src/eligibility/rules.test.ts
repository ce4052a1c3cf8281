import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateCampaignRules, type RuleProblem } from './rules.ts';
import { newRulesDocument } from './eligibility.fixtures.ts';

type Document = ReturnType<typeof newRulesDocument>;

function problemsOf(document: unknown): RuleProblem[] {
  const result = validateCampaignRules(document);
  assert.equal(result.ok, false, 'expected the rules to be refused');
  if (result.ok) return [];
  assert.equal(result.reason, 'invalid-rules');
  return result.detail?.['problems'] as RuleProblem[];
}

function refusedWith(edit: (doc: Document) => void, expected: RuleProblem[]): () => void {
  return () => {
    const document = newRulesDocument();
    edit(document);
    assert.deepEqual(problemsOf(document), expected);
  };
}

const window = (doc: Document) => doc.phases[1] as Record<string, unknown>;
const rotation = (doc: Document) => doc.phases[0] as Record<string, unknown>;
const cohort = (doc: Document) => doc.cohorts[0] as Record<string, unknown>;

describe('validateCampaignRules', () => {
  it('accepts a well-formed campaign and returns a frozen copy', () => {
    const document = newRulesDocument();
    const result = validateCampaignRules(document);
    assert.ok(result.ok);
    assert.deepEqual(result.value, document);
    assert.notEqual(result.value, document);
    assert.ok(Object.isFrozen(result.value.phases[0]));
  });

  it(
    'refuses a date that does not exist',
    refusedWith(
      (doc) => {
        cohort(doc)['bornTo'] = '2003-02-30';
      },
      [{ path: '/cohorts/0/bornTo', message: '2003-02-30 is not a calendar date' }],
    ),
  );

  it(
    'refuses 29 February in a year that has none',
    refusedWith(
      (doc) => {
        rotation(doc)['firstDay'] = '2021-02-29';
      },
      [{ path: '/phases/0/firstDay', message: '2021-02-29 is not a calendar date' }],
    ),
  );

  it(
    'refuses a birth range that ends before it starts',
    refusedWith(
      (doc) => {
        window(doc)['bornFrom'] = '1990-01-01';
        window(doc)['bornTo'] = '1980-01-01';
      },
      [{ path: '/phases/1/bornTo', message: 'must not be before bornFrom (1990-01-01)' }],
    ),
  );

  it(
    'refuses a window that closes when it opens',
    refusedWith(
      (doc) => {
        window(doc)['closesAt'] = '2021-08-21T11:00:00Z';
      },
      [{ path: '/phases/1/closesAt', message: 'must be after opensAt' }],
    ),
  );

  it(
    'refuses an instant without an explicit offset, whose meaning would depend on the server',
    refusedWith(
      (doc) => {
        window(doc)['opensAt'] = '2021-08-21T20:00:00';
      },
      [
        {
          path: '/phases/1/opensAt',
          message: 'must be an ISO 8601 instant with an explicit offset, e.g. 2021-07-19T20:00:00+09:00',
        },
      ],
    ),
  );

  it(
    'refuses an instant on a day that does not exist',
    refusedWith(
      (doc) => {
        window(doc)['opensAt'] = '2021-02-30T20:00:00+09:00';
      },
      [{ path: '/phases/1/opensAt', message: '2021-02-30T20:00:00+09:00 is not a real date and time' }],
    ),
  );

  it(
    'refuses overlapping cohorts',
    refusedWith(
      (doc) => {
        doc.cohorts.push({ ...cohort(doc), id: 'born-2000-2005', bornFrom: '2000-01-01', bornTo: '2005-12-31' });
      },
      [{ path: '/cohorts/1', message: 'overlaps the cohort at /cohorts/0 for people born 2000-01-01..2003-12-31' }],
    ),
  );

  it(
    'refuses a phase whose birth range lies outside every cohort',
    refusedWith(
      (doc) => {
        window(doc)['bornFrom'] = '1950-01-01';
        window(doc)['bornTo'] = '1955-12-31';
      },
      [{ path: '/phases/1', message: 'its birth range 1950-01-01..1955-12-31 lies outside every cohort' }],
    ),
  );

  it(
    'refuses a cohort part of which no phase ever admits',
    refusedWith(
      (doc) => {
        rotation(doc)['bornFrom'] = '1980-01-01';
        window(doc)['bornTo'] = '1975-12-31';
      },
      [
        {
          path: '/cohorts/0',
          message: 'people born 1976-01-01..1979-12-31 are admitted by no phase and could never book',
        },
      ],
    ),
  );

  it('refuses rotation days outside 1..31', () => {
    for (const [days, message] of [
      [0, 'must be at least 1'],
      [32, 'must be at most 31'],
    ] as const) {
      const document = newRulesDocument();
      rotation(document)['days'] = days;
      assert.deepEqual(problemsOf(document), [{ path: '/phases/0/days', message }]);
    }
  });

  it(
    'refuses a first digit outside 0..9',
    refusedWith(
      (doc) => {
        rotation(doc)['firstDigit'] = 10;
      },
      [{ path: '/phases/0/firstDigit', message: 'must be at most 9' }],
    ),
  );

  it(
    'refuses times that are not HH:MM',
    refusedWith(
      (doc) => {
        rotation(doc)['opensAtLocal'] = '8pm';
        rotation(doc)['closesAtLocalNextDay'] = '24:00';
      },
      [
        { path: '/phases/0/opensAtLocal', message: 'must be a Seoul wall-clock time HH:MM between 00:00 and 23:59' },
        {
          path: '/phases/0/closesAtLocalNextDay',
          message: 'must be a Seoul wall-clock time HH:MM between 00:00 and 23:59',
        },
      ],
    ),
  );

  it(
    'refuses duplicate phase ids',
    refusedWith(
      (doc) => {
        window(doc)['id'] = 'rotation';
      },
      [{ path: '/phases/1/id', message: "duplicate phase id 'rotation' (also at /phases/0)" }],
    ),
  );

  it(
    'refuses a campaign without phases',
    refusedWith(
      (doc) => {
        doc.phases = [];
      },
      [{ path: '/phases', message: 'must have at least 1 item(s)' }],
    ),
  );

  it(
    'refuses any time zone but Asia/Seoul',
    refusedWith(
      (doc) => {
        doc['timeZone'] = 'UTC';
      },
      [{ path: '/timeZone', message: "must be 'Asia/Seoul'" }],
    ),
  );

  it('refuses a dose interval outside 14..120 days', () => {
    for (const [days, message] of [
      [13, 'must be at least 14'],
      [121, 'must be at most 120'],
    ] as const) {
      const document = newRulesDocument();
      (cohort(document)['vaccine'] as Record<string, unknown>)['doseIntervalDays'] = days;
      assert.deepEqual(problemsOf(document), [{ path: '/cohorts/0/vaccine/doseIntervalDays', message }]);
    }
  });

  it(
    'refuses a version below 1',
    refusedWith(
      (doc) => {
        doc['version'] = 0;
      },
      [{ path: '/version', message: 'must be at least 1' }],
    ),
  );

  it(
    'refuses an unknown phase kind and an unknown vaccine',
    refusedWith(
      (doc) => {
        window(doc)['kind'] = 'lottery';
        (cohort(doc)['vaccine'] as Record<string, unknown>)['code'] = 'sputnik';
      },
      [
        {
          path: '/cohorts/0/vaccine/code',
          message: "must be one of 'pfizer', 'moderna', 'mrna', 'astrazeneca', 'janssen', 'novavax'",
        },
        { path: '/phases/1/kind', message: "must be one of 'window', 'rotation'" },
      ],
    ),
  );

  it(
    'refuses a misspelt property instead of silently ignoring it, and names a missing one once',
    refusedWith(
      (doc) => {
        window(doc)['closesAT'] = window(doc)['closesAt'];
        delete window(doc)['closesAt'];
      },
      [
        { path: '/phases/1/closesAt', message: 'is required' },
        { path: '/phases/1/closesAT', message: 'is not a known property (check its spelling)' },
      ],
    ),
  );

  it(
    'lists all three problems of a campaign that has three',
    refusedWith(
      (doc) => {
        doc['version'] = 0;
        rotation(doc)['firstDay'] = '2021-08-32';
        window(doc)['opensAt'] = '2021-08-21 20:00';
      },
      [
        { path: '/version', message: 'must be at least 1' },
        {
          path: '/phases/1/opensAt',
          message: 'must be an ISO 8601 instant with an explicit offset, e.g. 2021-07-19T20:00:00+09:00',
        },
        { path: '/phases/0/firstDay', message: '2021-08-32 is not a calendar date' },
      ],
    ),
  );

  it('refuses something that is not a campaign at all with one problem', () => {
    assert.deepEqual(problemsOf('campaign'), [{ path: '', message: 'must be an object' }]);
  });
});
