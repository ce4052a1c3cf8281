/** Small factories for booking-shaped test data. Each returns what it inserted. */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/platform/db.ts';
import { demoCampaign } from '../../src/eligibility/seed-campaigns.ts';
import type { CampaignRules } from '../../src/eligibility/rules.ts';
import { insertCampaignVersion, setLiveVersion } from '../../src/campaigns/campaign.repository.ts';
import { insertPeople } from '../../src/people/people.repository.ts';
import { insertFacilities } from '../../src/facilities/facilities.repository.ts';
import { insertSlots } from '../../src/booking/slot.repository.ts';
import { identityHashOf } from '../../src/identity/identity-hash.ts';
import type { NewBooking } from '../../src/booking/booking.store.ts';
import { addDays, DAY_MS, formatLocalDate, localDateOfEpochDay } from '../../src/platform/calendar.ts';

/** A live campaign open from an hour before `nowMs` for 30 days (pfizer, 21-day interval). */
export async function newLiveCampaign(
  db: Db,
  nowMs: number,
  overrides: Partial<CampaignRules> = {},
): Promise<CampaignRules> {
  const base = demoCampaign(nowMs, { opensInMs: -3_600_000 });
  const rules = { ...structuredClone(base), ...overrides } as CampaignRules;
  await insertCampaignVersion(db, rules.id, rules.version, rules, 'test');
  await setLiveVersion(db, rules.id, rules.version);
  return rules;
}

let personCounter = 0;
export async function newPeople(db: Db, count: number, birthDate = '1968-05-05') {
  const rows = Array.from({ length: count }, () => ({
    identity_hash: randomBytes(16).toString('base64url'),
    birth_date: birthDate,
    name: `시험${++personCounter}`,
    phone: '010-0000-0000',
    region_code: '11',
  }));
  for (let i = 0; i < rows.length; i += 1000) await insertPeople(db, rows.slice(i, i + 1000));
  return db
    .selectFrom('people')
    .selectAll()
    .where(
      'identity_hash',
      'in',
      rows.map((r) => r.identity_hash),
    )
    .orderBy('id')
    .execute();
}

export async function newFacility(db: Db, code = `F${randomBytes(3).toString('hex')}`) {
  await insertFacilities(db, [
    {
      code,
      name_ko: `시험의원 ${code}`,
      name_en: `Test Clinic ${code}`,
      region_code: '11',
      district_code: '11010',
      address: '서울 종로구',
      kind: 'clinic',
    },
  ]);
  return db.selectFrom('facilities').selectAll().where('code', '=', code).executeTakeFirstOrThrow();
}

/** A dose-1 slot on `date` and its dose-2 slot `intervalDays` later, both with `capacity`. */
export async function newSlotPair(
  db: Db,
  a: {
    campaignId: string;
    facilityId: number;
    date: string;
    capacity: number;
    intervalDays?: number;
    dose2Capacity?: number;
    vaccine?: string;
    rotationGroup?: number | null;
  },
) {
  const d2 = addDays(a.date, a.intervalDays ?? 21);
  const vaccine = a.vaccine ?? 'pfizer';
  await insertSlots(db, [
    {
      campaign_id: a.campaignId,
      facility_id: a.facilityId,
      date: a.date,
      vaccine_code: vaccine,
      dose: 1,
      rotation_group: a.rotationGroup ?? null,
      capacity: a.capacity,
    },
    {
      campaign_id: a.campaignId,
      facility_id: a.facilityId,
      date: d2,
      vaccine_code: vaccine,
      dose: 2,
      rotation_group: null,
      capacity: a.dose2Capacity ?? a.capacity,
    },
  ]);
  const rows = await db
    .selectFrom('slots')
    .selectAll()
    .where('facility_id', '=', a.facilityId)
    .where('date', 'in', [a.date, d2])
    .orderBy('dose')
    .execute();
  return { dose1: rows[0]!, dose2: rows[1]!, dose2Date: d2 };
}

/** 'YYYY-MM-DD' `days` after the UTC date of `nowMs` (Seoul is ahead, so +2 is always in the future). */
export function dateAfter(nowMs: number, days: number): string {
  return formatLocalDate(localDateOfEpochDay(Math.floor(nowMs / DAY_MS) + days));
}

/** People a test can verify as: each stored the way the service stores them, by the keyed hash of the RRN only. */
export async function newVerifiablePeople(
  db: Db,
  identityHmacKey: string,
  people: readonly { rrn: string; name: string; birthDate?: string; phone?: string }[],
): Promise<void> {
  await insertPeople(
    db,
    people.map((p) => ({
      identity_hash: identityHashOf(identityHmacKey, p.rrn.replace('-', '')),
      birth_date: p.birthDate ?? '1968-05-05',
      name: p.name,
      phone: p.phone ?? '010-1234-5678',
      region_code: 'KR-11',
    })),
  );
}

/** A live campaign, a facility `facilityCode` and one dose-1 slot of `capacity` three days after `nowMs`. */
export async function newBookableCampaign(db: Db, nowMs: number, facilityCode: string, capacity = 10) {
  const campaign = await newLiveCampaign(db, nowMs);
  const facility = await newFacility(db, facilityCode);
  const pair = await newSlotPair(db, {
    campaignId: campaign.id,
    facilityId: facility.id,
    date: dateAfter(nowMs, 3),
    capacity,
  });
  return { campaign, facility, slotId: pair.dose1.id };
}

/** A booking row for a slot pair (`f`), as the booking service would write it at `nowMs`; `o` overrides any field. */
export function newBookingRow(
  f: { campaignId: string; facilityId: number; dose1: { id: number; date: string }; dose2Date: string },
  personId: number,
  key: string,
  nowMs: number,
  o: Partial<NewBooking> = {},
): NewBooking {
  return {
    booking_number: `BN-${key}`,
    campaign_id: f.campaignId,
    campaign_version: 1,
    person_id: personId,
    requested_by_id: personId,
    status: 'active',
    facility_id: f.facilityId,
    vaccine_code: 'pfizer',
    dose1_slot_id: f.dose1.id,
    dose1_date: f.dose1.date,
    dose2_date: f.dose2Date,
    idempotency_key: key,
    admission_id: null,
    created_at: new Date(nowMs),
    updated_at: new Date(nowMs),
    cancelled_at: null,
    ...o,
  };
}
