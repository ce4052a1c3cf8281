/** Rows of campaign_versions and the live pointer: shared by the version store and the review store. */
import { sql } from 'kysely';
import type { DbOrTrx } from '../platform/db.ts';

/** Stores a new version; returns false if that (id, version) already exists (versions are immutable). */
export async function insertCampaignVersion(
  db: DbOrTrx,
  id: string,
  version: number,
  rules: unknown,
  createdBy: string,
): Promise<boolean> {
  await db
    .insertInto('campaigns')
    .values({ id, live_version: null })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const rows = await db
    .insertInto('campaign_versions')
    .values({ campaign_id: id, version, rules: JSON.stringify(rules), created_by: createdBy })
    .onConflict((oc) => oc.columns(['campaign_id', 'version']).doNothing())
    .returning('version')
    .execute();
  return rows.length === 1;
}

export async function setLiveVersion(db: DbOrTrx, id: string, version: number): Promise<void> {
  await db.updateTable('campaigns').set({ live_version: version }).where('id', '=', id).execute();
}

export async function latestVersionNumber(db: DbOrTrx, id: string): Promise<number> {
  const r = await db
    .selectFrom('campaign_versions')
    .select(sql<number>`coalesce(max(version), 0)::int`.as('v'))
    .where('campaign_id', '=', id)
    .executeTakeFirstOrThrow();
  return r.v;
}
