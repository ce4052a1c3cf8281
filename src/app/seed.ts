/**
 * Demo data for a fresh install: the real July-August 2021 rounds as campaign rules (historic,
 * for schedules and previews), a `demo` campaign opening shortly after start, a synthetic
 * population in the person registry (RRNs hashed, never stored), ~10,000 facilities across the
 * 17 provinces, and slots for the demo campaign. Idempotent: a second start adds nothing.
 */
import type { Logger } from 'pino';
import type { Config } from '../platform/config.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db.ts';
import { loadSeedCampaigns, demoCampaign } from '../eligibility/seed-campaigns.ts';
import { addDays, formatLocalDate, seoulWallClockAt } from '../platform/calendar.ts';
import type { CampaignService } from '../campaigns/campaign.service.ts';
import { latestVersionNumber } from '../campaigns/campaign.repository.ts';
import { countPeople } from '../people/people.repository.ts';
import { registerPopulation } from '../synthetic/register-population.ts';
import { generateFacilities, generateSlots } from '../synthetic/facilities.ts';
import { facilityIdsByCode, insertFacilities } from '../facilities/facilities.repository.ts';
import { insertSlots } from '../booking/slot.repository.ts';

export const DEMO_POPULATION_SEED = 2021;
export const DEMO_FACILITY_SEED = 719;
const BATCH = 2_000;

export async function seedDemo(o: { db: Db; config: Config; clock: Clock; campaigns: CampaignService; log: Logger }) {
  const { db, config, log } = o;
  for (const rules of loadSeedCampaigns()) {
    if ((await latestVersionNumber(db, rules.id)) === 0) await o.campaigns.saveVersion(rules, 'seed', true);
  }
  if ((await latestVersionNumber(db, 'demo')) === 0) {
    const demo = demoCampaign(o.clock.nowMs(), { opensInMs: config.demoOpensInMs });
    await o.campaigns.saveVersion(demo, 'seed', true);
    log.info({ opensAt: demo.phases[0]?.kind === 'window' ? demo.phases[0].opensAt : null }, 'demo campaign created');
  }
  await seedPopulation(db, config, log);
  const demo = await o.campaigns.liveCampaign('demo');
  const cohort = demo?.rules.cohorts[0];
  if (!cohort) throw new Error('demo campaign missing after seeding');
  await seedFacilitiesAndSlots(db, config, o.clock, log, {
    vaccineCode: cohort.vaccine.code,
    doseIntervalDays: cohort.vaccine.doseIntervalDays,
  });
}

async function seedPopulation(db: Db, config: Config, log: Logger) {
  if ((await countPeople(db)) > 0) return;
  await registerPopulation(db, config.identityHmacKey, { size: config.demoPopulation, seed: DEMO_POPULATION_SEED });
  log.info({ people: config.demoPopulation }, 'synthetic population registered (RRNs hashed)');
}

async function seedFacilitiesAndSlots(
  db: Db,
  config: Config,
  clock: Clock,
  log: Logger,
  vaccine: { vaccineCode: string; doseIntervalDays: number },
) {
  const existing = await db.selectFrom('facilities').select('id').limit(1).execute();
  if (existing.length > 0) return;
  const facilities = [...generateFacilities({ count: config.demoFacilities, seed: DEMO_FACILITY_SEED })];
  for (let i = 0; i < facilities.length; i += BATCH) {
    await insertFacilities(
      db,
      facilities.slice(i, i + BATCH).map((f) => ({
        code: f.code,
        name_ko: f.name.ko,
        name_en: f.name.en,
        region_code: f.regionCode,
        district_code: f.districtCode,
        address: f.address,
        address_en: f.addressEn,
        kind: f.kind,
      })),
    );
  }
  const ids = await facilityIdsByCode(db);
  const tomorrow = addDays(seoulWallClockAt(clock.nowMs()).date, 1);
  const dates = Array.from({ length: config.demoSlotDays }, (_, i) => formatLocalDate(addDays(tomorrow, i)));
  let rows: Parameters<typeof insertSlots>[1][number][] = [];
  const slots = generateSlots({
    facilities,
    dates,
    vaccines: [vaccine.vaccineCode],
    capacityPerDay: 20,
    seed: DEMO_FACILITY_SEED,
    doseIntervalDays: vaccine.doseIntervalDays,
  });
  for (const s of slots) {
    rows.push({
      campaign_id: 'demo',
      facility_id: ids.get(s.facilityCode)!,
      date: s.date,
      vaccine_code: s.vaccineCode,
      dose: s.dose,
      rotation_group: s.rotationGroup,
      capacity: s.capacity,
    });
    if (rows.length === BATCH) {
      await insertSlots(db, rows);
      rows = [];
    }
  }
  await insertSlots(db, rows);
  log.info({ facilities: facilities.length, days: dates.length }, 'facilities and demo slots created');
}
