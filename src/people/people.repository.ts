/** The person registry: people keyed by the keyed hash of their RRN. Repositories take db | trx first. */
import { sql } from 'kysely';
import { PREPARED, type DbOrTrx } from '../platform/db.ts';
import type { PersonRow } from './people.table.ts';

export type NewPerson = Omit<PersonRow, 'id'>;

export async function findPersonByIdentityHash(db: DbOrTrx, identityHash: string): Promise<PersonRow | undefined> {
  return db.selectFrom('people').selectAll().where('identity_hash', '=', identityHash).executeTakeFirst();
}

/** Several people by identity hash in one statement, keyed by hash (row-cache.ts batches concurrent misses). */
export async function findPeopleByIdentityHashes(
  db: DbOrTrx,
  identityHashes: readonly string[],
): Promise<Map<string, PersonRow>> {
  const rows = await db.selectFrom('people').selectAll().where('identity_hash', 'in', identityHashes).execute();
  return new Map(rows.map((r) => [r.identity_hash, r]));
}

export async function findPersonById(db: DbOrTrx, id: number): Promise<PersonRow | undefined> {
  return db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Several people by id in one statement, keyed by id (row-cache.ts batches concurrent misses). */
export async function findPeopleByIds(db: DbOrTrx, ids: readonly number[]): Promise<Map<number, PersonRow>> {
  // One prepared text whatever the count (an IN list is a new text per count, parsed and planned each time).
  const r =
    await sql<PersonRow>`${sql.raw(PREPARED)}SELECT * FROM people WHERE id = ANY (${[...ids]}::bigint[])`.execute(db);
  return new Map(r.rows.map((row) => [row.id, row]));
}

/** Inserts people, skipping identity hashes already registered; returns how many were new. */
export async function insertPeople(db: DbOrTrx, people: readonly NewPerson[]): Promise<number> {
  if (people.length === 0) return 0;
  const rows = await db
    .insertInto('people')
    .values([...people])
    .onConflict((oc) => oc.column('identity_hash').doNothing())
    .returning('id')
    .execute();
  return rows.length;
}

export async function countPeople(db: DbOrTrx): Promise<number> {
  const r = await db
    .selectFrom('people')
    .select(sql<number>`count(*)::int`.as('n'))
    .executeTakeFirstOrThrow();
  return r.n;
}

/** Population counts by birth date ('YYYY-MM-DD' → people), for eligibility previews. */
export async function countPeopleByBirthDate(db: DbOrTrx): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('people')
    .select(['birth_date', sql<number>`count(*)::int`.as('n')])
    .groupBy('birth_date')
    .execute();
  return new Map(rows.map((r) => [r.birth_date, r.n]));
}
