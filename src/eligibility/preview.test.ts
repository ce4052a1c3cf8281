import assert from 'node:assert/strict';
import { it } from 'node:test';
import { previewAt } from './eligibility.ts';
import { kst, newRulesDocument, rulesFrom, seedCampaign } from './eligibility.fixtures.ts';
import { describeInEachProcessTimeZone } from '../platform/time-zones.fixtures.ts';

/** A small population: birth date → people, including some outside the 18-49 cohort. */
const population = new Map<string, number>([
  ['1985-01-09', 100],
  ['1985-01-19', 10],
  ['2000-02-29', 1],
  ['1985-01-10', 1000],
  ['1990-03-30', 2000],
  ['1986-07-31', 30000],
  ['1971-12-29', 5],
  ['2004-01-09', 7],
]);

describeInEachProcessTimeZone('previewAt', () => {
  it('shows rotation digit 9 open at 03:00 on 10 Aug and counts only the people it admits', () => {
    const preview = previewAt(seedCampaign('2021-08-18-49'), kst('2021-08-10T03:00'), population);
    assert.deepEqual(preview, {
      atMs: kst('2021-08-10T03:00'),
      people: 111,
      phases: [
        {
          phaseId: 'rotation',
          kind: 'rotation',
          label: { ko: '10부제 (생일 끝자리)', en: '10-day rotation by last digit of birth day' },
          opensAtMs: kst('2021-08-09T20:00'),
          closesAtMs: kst('2021-08-10T18:00'),
          bornRanges: [{ bornFrom: '1972-01-01', bornTo: '2003-12-31' }],
          birthDayDigits: [9],
          people: 111,
        },
      ],
    });
  });

  it('shows nothing open in the 18:00-20:00 gap between rotation days', () => {
    const preview = previewAt(seedCampaign('2021-08-18-49'), kst('2021-08-10T18:00'), population);
    assert.deepEqual(preview, { atMs: kst('2021-08-10T18:00'), people: 0, phases: [] });
  });

  it('shows the 36-49 catch-up cut to those born 1972-1985', () => {
    const preview = previewAt(seedCampaign('2021-08-18-49'), kst('2021-08-19T21:00'), population);
    assert.deepEqual(
      preview.phases.map((p) => [p.phaseId, p.bornRanges, p.birthDayDigits, p.people]),
      [['catch-up-36-49', [{ bornFrom: '1972-01-01', bornTo: '1985-12-31' }], undefined, 1110]],
    );
    assert.equal(preview.people, 1110);
  });

  it('counts each phase separately but each person once in the total when phases overlap', () => {
    const document = newRulesDocument();
    document.phases.push({
      kind: 'window',
      id: 'early-thirties',
      label: { ko: '30대 초반', en: 'Early thirties' },
      opensAt: '2021-08-09T00:00:00+09:00',
      closesAt: '2021-08-11T00:00:00+09:00',
      bornFrom: '1986-01-01',
      bornTo: '1991-12-31',
    });
    const preview = previewAt(rulesFrom(document), kst('2021-08-10T21:00'), population);
    assert.deepEqual(
      preview.phases.map((p) => [p.phaseId, p.birthDayDigits, p.people]),
      [
        ['early-thirties', undefined, 32000],
        ['rotation', [0], 3000],
      ],
    );
    assert.equal(preview.people, 33000);
  });

  it('lists both digits when a rotation lets consecutive days overlap', () => {
    const document = newRulesDocument();
    Object.assign(document.phases[0] ?? {}, { opensAtLocal: '17:00', closesAtLocalNextDay: '18:00' });
    const preview = previewAt(rulesFrom(document), kst('2021-08-10T17:30'), population);
    assert.deepEqual(
      preview.phases.map((p) => [p.phaseId, p.birthDayDigits, p.opensAtMs, p.closesAtMs, p.people]),
      [['rotation', [0, 9], kst('2021-08-09T17:00'), kst('2021-08-11T18:00'), 3111]],
    );
  });
});
