import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { demoCampaign } from '../eligibility/seed-campaigns.ts';
import type { CampaignRules } from '../eligibility/rules.ts';
import { dose2DateFor, dose2DateOfBooking, firstBookableDate, slotProblem, vaccineCodesFor } from './booking-rules.ts';
import type { SlotRow } from './booking.table.ts';

/** 23:59:59.999 on 2 March in Seoul (14:59:59.999 UTC). */
const LAST_MS_OF_SEOUL_DAY = Date.parse('2026-03-02T14:59:59.999Z');

type VaccineCode = CampaignRules['cohorts'][number]['vaccine']['code'];

function rules(vaccineCode: VaccineCode = 'pfizer'): CampaignRules {
  const base = demoCampaign(LAST_MS_OF_SEOUL_DAY);
  return { ...base, cohorts: [{ ...base.cohorts[0]!, vaccine: { ...base.cohorts[0]!.vaccine, code: vaccineCode } }] };
}

function slot(o: Partial<SlotRow> = {}): SlotRow {
  return {
    id: 1,
    campaign_id: 'demo',
    facility_id: 1,
    date: '2026-03-05',
    vaccine_code: 'pfizer',
    dose: 1,
    rotation_group: null,
    capacity: 10,
    booked: 0,
    ...o,
  };
}

const who = (o: Partial<Parameters<typeof slotProblem>[1]> = {}) => ({
  campaignId: 'demo',
  birthDate: '1968-05-05',
  rules: rules(),
  nowMs: LAST_MS_OF_SEOUL_DAY,
  ...o,
});

describe('firstBookableDate', () => {
  it('is tomorrow in Seoul, whatever the UTC date says', () => {
    assert.equal(firstBookableDate(LAST_MS_OF_SEOUL_DAY), '2026-03-03');
    assert.equal(
      firstBookableDate(LAST_MS_OF_SEOUL_DAY + 1),
      '2026-03-04',
      'midnight in Seoul is 15:00 UTC the day before',
    );
  });

  it('crosses month and leap-day ends', () => {
    assert.equal(firstBookableDate(Date.parse('2028-02-28T15:00:00Z')), '2028-03-01');
    assert.equal(firstBookableDate(Date.parse('2026-12-31T14:00:00Z')), '2027-01-01');
  });
});

describe('dose2DateFor', () => {
  it('adds the interval in calendar days', () => {
    assert.equal(dose2DateFor('2026-03-05', 21), '2026-03-26');
    assert.equal(dose2DateFor('2028-02-20', 28), '2028-03-19');
    assert.equal(dose2DateOfBooking(rules(), '1968-05-05', '2026-03-05'), '2026-03-26');
  });

  it('refuses a date that does not exist', () => {
    assert.throws(() => dose2DateFor('2026-02-30', 21), /not a calendar date/);
  });
});

describe('vaccineCodesFor', () => {
  it('reads mrna as either mRNA vaccine and any other code as itself', () => {
    assert.deepEqual(vaccineCodesFor('mrna'), ['pfizer', 'moderna']);
    assert.deepEqual(vaccineCodesFor('az'), ['az']);
  });
});

describe('slotProblem', () => {
  it('accepts a dose-1 slot of the campaign from tomorrow in Seoul on', () => {
    assert.equal(slotProblem(slot({ date: '2026-03-03' }), who()), undefined);
  });

  it("treats a missing slot, another campaign's, a dose-2 slot and today's slot as not found", () => {
    assert.equal(slotProblem(undefined, who()), 'slot-not-found');
    assert.equal(slotProblem(slot({ campaign_id: 'other' }), who()), 'slot-not-found');
    assert.equal(slotProblem(slot({ dose: 2 }), who()), 'slot-not-found');
    assert.equal(slotProblem(slot({ date: '2026-03-02' }), who()), 'slot-not-found');
    assert.equal(
      slotProblem(slot({ date: '2026-03-03' }), who({ nowMs: LAST_MS_OF_SEOUL_DAY + 1 })),
      'slot-not-found',
      'at Seoul midnight tomorrow becomes today',
    );
  });

  it('refuses a person outside every cohort', () => {
    assert.equal(slotProblem(slot(), who({ birthDate: '2015-01-01' })), 'not-in-cohort');
  });

  it('refuses another vaccine than the cohort takes, and reads mrna as Pfizer or Moderna', () => {
    assert.equal(slotProblem(slot({ vaccine_code: 'moderna' }), who()), 'wrong-vaccine');
    assert.equal(slotProblem(slot({ vaccine_code: 'moderna' }), who({ rules: rules('mrna') })), undefined);
    assert.equal(slotProblem(slot({ vaccine_code: 'az' }), who({ rules: rules('mrna') })), 'wrong-vaccine');
  });

  it('keeps a rotation-group slot for people whose birth day ends in its digit', () => {
    assert.equal(slotProblem(slot({ rotation_group: 5 }), who({ birthDate: '1968-05-05' })), undefined);
    assert.equal(slotProblem(slot({ rotation_group: 5 }), who({ birthDate: '1968-05-15' })), undefined);
    assert.equal(slotProblem(slot({ rotation_group: 6 }), who({ birthDate: '1968-05-05' })), 'wrong-rotation-group');
  });
});
