/**
 * The night's supply: synthetic facilities (src/facilities) and their first- and second-dose slots
 * for the scenario's campaign, inserted through the production repositories. Returns how many
 * first-dose seats are bookable tonight (on a rotation day, only the quota of tonight's digits).
 */
import { sql } from 'kysely';
import type { Db } from '../../src/platform/db.ts';
import { addDays, formatLocalDate, seoulWallClockAt } from '../../src/platform/calendar.ts';
import { generateFacilities, generateSlots } from '../../src/synthetic/facilities.ts';
import { facilityIdsByCode, insertFacilities } from '../../src/facilities/facilities.repository.ts';
import { insertSlots, type NewSlot } from '../../src/booking/slot.repository.ts';
import { deriveSeed } from '../../src/synthetic/prng.ts';
import type { Scenario } from './scenario.ts';

const BATCH = 5_000;

export interface Supply {
  facilities: number;
  dates: string[];
  /** First-dose seats people tonight may book. */
  seatsTonight: number;
  dose1Rows: number;
}

export interface SupplyOptions {
  db: Db;
  scenario: Scenario;
  scale: number;
  campaignId: string;
  opensAtMs: number;
  doseIntervalDays: number;
  onProgress?: (done: number, total: number) => void;
}

export async function seedSupply(o: SupplyOptions): Promise<Supply> {
  const s = o.scenario.supply;
  const count = Math.max(1, Math.round(s.facilities * o.scale));
  const seed = deriveSeed(o.scenario.seed, 'facilities');
  const facilities = [...generateFacilities({ count, seed })];
  for (let i = 0; i < facilities.length; i += BATCH) {
    await insertFacilities(
      o.db,
      facilities.slice(i, i + BATCH).map((f) => ({
        code: f.code,
        name_ko: f.name.ko,
        name_en: f.name.en,
        region_code: f.regionCode,
        district_code: f.districtCode,
        address: f.address,
        kind: f.kind,
      })),
    );
  }
  const ids = await facilityIdsByCode(o.db);
  const opening = seoulWallClockAt(o.opensAtMs).date;
  const dates = Array.from({ length: s.days }, (_, i) =>
    formatLocalDate(addDays(opening, s.firstDateDaysAfterOpening + i)),
  );
  const tonight = new Set(o.scenario.cohort.birthDayDigits ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const slots = generateSlots({
    facilities,
    dates,
    vaccines: s.vaccines,
    capacityPerDay: s.capacityPerFacilityDay,
    seed,
    doseIntervalDays: o.doseIntervalDays,
    ...(s.rotationQuota ? { rotationQuotaGroups: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] } : {}),
  });
  const totalRows = facilities.length * dates.length * s.vaccines.length * ((s.rotationQuota ? 10 : 1) + 1);
  let rows: NewSlot[] = [];
  let seatsTonight = 0,
    dose1Rows = 0,
    done = 0;
  for (const slot of slots) {
    if (slot.dose === 1) {
      dose1Rows += 1;
      if (slot.rotationGroup === null || tonight.has(slot.rotationGroup)) seatsTonight += slot.capacity;
    }
    rows.push({
      campaign_id: o.campaignId,
      facility_id: ids.get(slot.facilityCode)!,
      date: slot.date,
      vaccine_code: slot.vaccineCode,
      dose: slot.dose,
      rotation_group: slot.rotationGroup,
      capacity: slot.capacity,
    });
    if (rows.length === BATCH) {
      await insertSlots(o.db, rows);
      done += rows.length;
      rows = [];
      o.onProgress?.(done, totalRows);
    }
  }
  await insertSlots(o.db, rows);
  o.onProgress?.(totalRows, totalRows);
  // Fresh statistics after a bulk load, as an operator runs after seeding: without them the planner
  // takes a slot search for a one-row table and scans every slot (seconds per search at 10,000 facilities).
  await sql`analyze facilities, slots`.execute(o.db);
  return { facilities: facilities.length, dates, seatsTonight, dose1Rows };
}
