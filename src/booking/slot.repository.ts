/**
 * Slot inventory. Capacity is guarded by the database: every seat is taken with one conditional
 * UPDATE (booked < capacity) that holds the row lock until commit, and a CHECK constraint backs it,
 * so no interleaving of concurrent requests can oversell.
 */
import { sql } from 'kysely';
import { PREPARED, type DbOrTrx } from '../platform/db.ts';
import type { SlotRow, SlotsTable } from './booking.table.ts';
import type { FacilityRow } from '../facilities/facilities.table.ts';
import type { PersonRow } from '../people/people.table.ts';
import type { Insertable } from 'kysely';
import type { AlternativeSlot, AlternativesQuery } from './booking.store.ts';

export type NewSlot = Insertable<SlotsTable>;

export async function insertSlots(db: DbOrTrx, slots: readonly NewSlot[]): Promise<void> {
  if (slots.length === 0) return;
  await db
    .insertInto('slots')
    .values([...slots])
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function findSlot(db: DbOrTrx, slotId: number): Promise<SlotRow | undefined> {
  return db.selectFrom('slots').selectAll().where('id', '=', slotId).executeTakeFirst();
}

/**
 * Several slots by id with their facilities, in one statement (the slot cache loads its batched
 * misses through it, row-cache.ts): a booking needs the facility of the slot it read (the
 * confirmation's name and address), and a second statement for it cost the service a round trip per
 * batch (issue 13). Facility columns come back prefixed `f_`.
 */
export async function findSlotsWithFacilitiesByIds(
  db: DbOrTrx,
  ids: readonly number[],
): Promise<{ slots: Map<number, SlotRow>; facilities: FacilityRow[] }> {
  const r = await sql<SlotWithFacility>`${sql.raw(PREPARED)}SELECT ${sql.raw(SLOT_WITH_FACILITY_COLUMNS)}
    FROM slots s JOIN facilities f ON f.id = s.facility_id WHERE s.id = ANY (${[...ids]}::bigint[])`.execute(db);
  return slotsAndFacilitiesOf(r.rows);
}

/**
 * People and slots (with their facilities) by id, in ONE statement: a booking needs its person and
 * its slot, and each statement costs the service a socket write and a read, more than its rows
 * (issue 13: 150-240 µs of Node CPU per statement on the bench machine, most of it the write). The
 * rows travel as two JSON arrays; every column of these tables is a number, text or date, which
 * JSON carries as the drivers' own parsers give them (dates as 'YYYY-MM-DD', ids as numbers).
 */
export async function findPeopleAndSlotsByIds(
  db: DbOrTrx,
  personIds: readonly number[],
  slotIds: readonly number[],
): Promise<{ people: Map<number, PersonRow>; slots: Map<number, SlotRow>; facilities: FacilityRow[] }> {
  const r = await sql<{ people: PersonRow[]; slots: SlotWithFacility[] }>`${sql.raw(PREPARED)}SELECT
      (SELECT coalesce(json_agg(p), '[]'::json) FROM people p WHERE p.id = ANY (${[...personIds]}::bigint[])) AS people,
      (SELECT coalesce(json_agg(r), '[]'::json) FROM (SELECT ${sql.raw(SLOT_WITH_FACILITY_COLUMNS)}
        FROM slots s JOIN facilities f ON f.id = s.facility_id WHERE s.id = ANY (${[...slotIds]}::bigint[])) r) AS slots`.execute(
    db,
  );
  const row = r.rows[0]!;
  return { people: new Map(row.people.map((p) => [p.id, p])), ...slotsAndFacilitiesOf(row.slots) };
}

const SLOT_WITH_FACILITY_COLUMNS = `s.*, f.code AS f_code, f.name_ko AS f_name_ko,
      f.name_en AS f_name_en, f.region_code AS f_region_code, f.district_code AS f_district_code, f.address AS f_address,
      f.address_en AS f_address_en, f.kind AS f_kind`;

type SlotWithFacility = SlotRow & FacilityColumns;

function slotsAndFacilitiesOf(rows: readonly SlotWithFacility[]) {
  const slots = new Map<number, SlotRow>();
  const facilities = new Map<number, FacilityRow>();
  for (const row of rows) {
    const { f_code, f_name_ko, f_name_en, f_region_code, f_district_code, f_address, f_address_en, f_kind, ...slot } =
      row;
    slots.set(slot.id, slot);
    facilities.set(slot.facility_id, {
      id: slot.facility_id,
      code: f_code,
      name_ko: f_name_ko,
      name_en: f_name_en,
      region_code: f_region_code,
      district_code: f_district_code,
      address: f_address,
      address_en: f_address_en,
      kind: f_kind,
    });
  }
  return { slots, facilities: [...facilities.values()] };
}

interface FacilityColumns {
  f_code: string;
  f_name_ko: string;
  f_name_en: string;
  f_region_code: string;
  f_district_code: string;
  f_address: string;
  f_address_en: string;
  f_kind: string;
}

/** Gives one seat back (never below zero). Seats are taken by booking.repository.ts writeBookingTakingSeats only. */
export async function releaseSeat(db: DbOrTrx, slotId: number): Promise<void> {
  await db
    .updateTable('slots')
    .set({ booked: sql`booked - 1` })
    .where('id', '=', slotId)
    .where('booked', '>', 0)
    .execute();
}

export interface FacilitySearch {
  campaignId: string;
  vaccineCodes: readonly string[];
  regionCode?: string | undefined;
  districtCode?: string | undefined;
  date?: string | undefined;
  fromDate: string;
  /** A person's rotation digit: slots with no quota group or that group. */
  rotationGroup?: number | undefined;
  limit: number;
  /**
   * Orders slots of one date with as many free seats in an order of this number's own (the person's
   * id): the same list for them on every search, another for the next person. Without it, facility code.
   */
  spreadSeed?: number | undefined;
}

/**
 * Dose-1 slots with free seats, with their facility: nearest dates first; within a date the roomiest
 * first, so the slot a person taps is the one least likely to be gone by then (on opening night
 * the last seats of a slot shown to everyone were picked by many and booked by one); equal ones
 * in the order `spreadSeed` gives, so the people searching in the same second are not all shown
 * the same few slots.
 */
export async function searchOpenSlots(db: DbOrTrx, q: FacilitySearch) {
  let query = db
    .selectFrom('slots')
    .innerJoin('facilities', 'facilities.id', 'slots.facility_id')
    .select([
      'slots.id as slotId',
      'slots.date',
      'slots.vaccine_code as vaccineCode',
      'slots.rotation_group as rotationGroup',
      sql<number>`slots.capacity - slots.booked`.as('free'),
      'facilities.id as facilityId',
      'facilities.code as facilityCode',
      'facilities.name_ko as nameKo',
      'facilities.name_en as nameEn',
      'facilities.region_code as regionCode',
      'facilities.district_code as districtCode',
      'facilities.address',
      'facilities.address_en as addressEn',
    ])
    .where('slots.campaign_id', '=', q.campaignId)
    .where('slots.dose', '=', 1)
    .where('slots.vaccine_code', 'in', [...q.vaccineCodes])
    .whereRef('slots.booked', '<', 'slots.capacity')
    .where('slots.date', '>=', q.fromDate);
  if (q.regionCode) query = query.where('facilities.region_code', '=', q.regionCode);
  if (q.districtCode) query = query.where('facilities.district_code', '=', q.districtCode);
  if (q.date) query = query.where('slots.date', '=', q.date);
  if (q.rotationGroup !== undefined) {
    const g = q.rotationGroup;
    query = query.where((eb) => eb.or([eb('slots.rotation_group', 'is', null), eb('slots.rotation_group', '=', g)]));
  }
  query = query.orderBy('slots.date').orderBy(sql`slots.capacity - slots.booked`, 'desc');
  if (q.spreadSeed !== undefined) {
    // Postgres's own seeded hash of the facility id: a permutation of its own for each seed.
    query = query.orderBy(sql`hashint8extended(facilities.id::bigint, ${q.spreadSeed}::bigint)`);
  }
  return query.orderBy('facilities.code').limit(q.limit).execute();
}

/** Free dose-1 seats per region (public: lets people see before queueing whether any are left). */
export async function freeSeatsByRegion(db: DbOrTrx, campaignId: string, fromDate: string) {
  return db
    .selectFrom('slots')
    .innerJoin('facilities', 'facilities.id', 'slots.facility_id')
    .select([
      'facilities.region_code as regionCode',
      sql<number>`sum(slots.capacity - slots.booked)::int`.as('free'),
      sql<number>`sum(slots.capacity)::int`.as('capacity'),
    ])
    .where('slots.campaign_id', '=', campaignId)
    .where('slots.dose', '=', 1)
    .where('slots.date', '>=', fromDate)
    .groupBy('facilities.region_code')
    .orderBy('facilities.region_code')
    .execute();
}

/**
 * Free dose-1 seats in all from `fromDate` on: what the waiting room reads every few seconds on
 * every process (it needs the total, not the regions: no facility is read).
 */
export async function freeSeatsTotal(db: DbOrTrx, campaignId: string, fromDate: string): Promise<number> {
  const row = await db
    .selectFrom('slots')
    .select(sql<number>`coalesce(sum(capacity - booked), 0)::int`.as('free'))
    .where('campaign_id', '=', campaignId)
    .where('dose', '=', 1)
    .where('date', '>=', fromDate)
    .executeTakeFirst();
  return row?.free ?? 0;
}

const ALTERNATIVE_COLUMNS = sql`s.id AS "slotId", to_char(s.date, 'YYYY-MM-DD') AS date, s.vaccine_code AS "vaccineCode",
  s.rotation_group AS "rotationGroup", s.capacity - s.booked AS free, f.id AS "facilityId", f.code AS "facilityCode",
  f.name_ko AS "nameKo", f.name_en AS "nameEn", f.region_code AS "regionCode", f.district_code AS "districtCode", f.address,
  f.address_en AS "addressEn"`;

/**
 * What a person may book instead of a full slot, in ONE statement (run only on a slot-full
 * refusal): the same facility on other dates, nearest to the refused date first (the index of the
 * slots' unique key: campaign, facility, date), then facilities of the same region on the same date,
 * same district first (slots_search: campaign, dose, date). Each part at most `perKind` rows.
 */
export async function findAlternativeSlots(db: DbOrTrx, q: AlternativesQuery): Promise<AlternativeSlot[]> {
  const codes = q.vaccineCodes.join(',');
  const fits = sql`s.campaign_id = ${q.campaignId}::text AND s.dose = 1 AND s.booked < s.capacity AND s.date >= ${q.fromDate}::date
    AND s.vaccine_code = ANY (string_to_array(${codes}::text, ',')) AND (s.rotation_group IS NULL OR s.rotation_group = ${q.rotationGroup}::int)`;
  const r = await sql<AlternativeSlot>`
    (SELECT ${ALTERNATIVE_COLUMNS} FROM slots s JOIN facilities f ON f.id = s.facility_id
      WHERE ${fits} AND s.facility_id = ${q.facilityId}::int AND s.date <> ${q.date}::date
      ORDER BY abs(s.date - ${q.date}::date), s.date, s.id LIMIT ${q.perKind}::int)
    UNION ALL
    (SELECT ${ALTERNATIVE_COLUMNS} FROM slots s JOIN facilities f ON f.id = s.facility_id
      WHERE ${fits} AND s.date = ${q.date}::date AND s.facility_id <> ${q.facilityId}::int AND f.region_code = ${q.regionCode}::text
      ORDER BY (f.district_code = ${q.districtCode}::text) DESC, s.booked::float / GREATEST(s.capacity, 1), f.code, s.id LIMIT ${q.perKind}::int)`.execute(
    db,
  );
  return r.rows.map((row) => ({
    ...row,
    slotId: Number(row.slotId),
    facilityId: Number(row.facilityId),
    free: Number(row.free),
  }));
}
