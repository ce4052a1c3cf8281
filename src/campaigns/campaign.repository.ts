/** Campaign rules are stored as versioned JSON; `campaigns.live_version` says which one is served. */
import { sql } from 'kysely';
import type { Db, DbOrTrx } from '../platform/db.ts';
import type { CampaignStore, StoredCampaign } from './campaign.service.ts';
import { listCampaignsForEditor } from './campaign-list.ts';
import { createReviewRepository } from './campaign-review.repository.ts';
import { latestVersionNumber, insertCampaignVersion, setLiveVersion } from './campaign-version.repository.ts';

export { latestVersionNumber, insertCampaignVersion, setLiveVersion };

/** Every campaign's live version (the set citizens are served). */
export async function listLiveCampaigns(db: DbOrTrx): Promise<StoredCampaign[]> {
  const rows = await db
    .selectFrom('campaigns')
    .innerJoin('campaign_versions', (j) =>
      j
        .onRef('campaign_versions.campaign_id', '=', 'campaigns.id')
        .onRef('campaign_versions.version', '=', 'campaigns.live_version'),
    )
    .select(['campaigns.id', 'campaign_versions.version', 'campaign_versions.rules'])
    .orderBy('campaigns.id')
    .execute();
  return rows.map((r) => ({ id: r.id, version: r.version, rules: r.rules, isLive: true }));
}

export async function listCampaignVersions(db: DbOrTrx, id: string): Promise<StoredCampaign[]> {
  const rows = await db
    .selectFrom('campaign_versions')
    .leftJoin('campaigns', 'campaigns.id', 'campaign_versions.campaign_id')
    .select([
      'campaign_versions.campaign_id as id',
      'campaign_versions.version',
      'campaign_versions.rules',
      'campaigns.live_version',
    ])
    .where('campaign_versions.campaign_id', '=', id)
    .orderBy('campaign_versions.version', 'desc')
    .execute();
  return rows.map((r) => ({ id: r.id, version: r.version, rules: r.rules, isLive: r.live_version === r.version }));
}

/** The campaign store the service receives (campaign.service.ts `CampaignStore`), over Kysely. */
export function createCampaignRepository(db: Db): CampaignStore {
  return {
    ...createReviewRepository(db),
    listLive: () => listLiveCampaigns(db),
    listVersions: (id) => listCampaignVersions(db, id),
    listForEditor: () => listCampaignsForEditor(db),
    latestVersionNumber: (id) => latestVersionNumber(db, id),
    saveNextVersion: (rules, actor, makeLive) =>
      db.transaction().execute(async (trx) => {
        const latest = await latestVersionNumber(trx, rules.id);
        if (rules.version !== latest + 1) return false;
        if (!(await insertCampaignVersion(trx, rules.id, rules.version, rules, actor))) return false;
        if (makeLive) await setLiveVersion(trx, rules.id, rules.version);
        return true;
      }),
  };
}
