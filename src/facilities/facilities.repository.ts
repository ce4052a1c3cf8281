import { sql, type Insertable } from 'kysely';
import { PREPARED, type DbOrTrx } from '../platform/db.ts';
import type { FacilitiesTable, FacilityRow } from './facilities.table.ts';

export async function insertFacilities(db: DbOrTrx, rows: readonly Insertable<FacilitiesTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('facilities')
    .values([...rows])
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
}

export async function findFacilityById(db: DbOrTrx, id: number): Promise<FacilityRow | undefined> {
  return db.selectFrom('facilities').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Several facilities by id in one statement, keyed by id (row-cache.ts batches concurrent misses). */
export async function findFacilitiesByIds(db: DbOrTrx, ids: readonly number[]): Promise<Map<number, FacilityRow>> {
  // One prepared text whatever the count (an IN list is a new text per count, parsed and planned each time).
  const r =
    await sql<FacilityRow>`${sql.raw(PREPARED)}SELECT * FROM facilities WHERE id = ANY (${[...ids]}::int[])`.execute(
      db,
    );
  return new Map(r.rows.map((row) => [row.id, row]));
}

/** Facility ids by code (for slot generation after an insert). */
export async function facilityIdsByCode(db: DbOrTrx): Promise<Map<string, number>> {
  const rows = await db.selectFrom('facilities').select(['id', 'code']).execute();
  return new Map(rows.map((r) => [r.code, r.id]));
}
