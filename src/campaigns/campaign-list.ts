import { sql } from 'kysely';
import type { DbOrTrx } from '../platform/db.ts';

/** Every campaign with its live and latest version and the latest rules (for the editor). */
export async function listCampaignsForEditor(db: DbOrTrx) {
  const rows = await db
    .selectFrom('campaigns')
    .innerJoin('campaign_versions', 'campaign_versions.campaign_id', 'campaigns.id')
    .select(['campaigns.id', 'campaigns.live_version', 'campaign_versions.version', 'campaign_versions.rules'])
    .where('campaign_versions.version', '=', (eb) =>
      eb
        .selectFrom('campaign_versions as v')
        .select(sql<number>`max(v.version)`.as('m'))
        .whereRef('v.campaign_id', '=', 'campaigns.id'),
    )
    .orderBy('campaigns.id')
    .execute();
  return rows.map((r) => ({ id: r.id, liveVersion: r.live_version, latestVersion: r.version, rules: r.rules }));
}
