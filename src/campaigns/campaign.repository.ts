/** Campaign rules are stored as versioned JSON; `campaigns.live_version` says which one is served. */
import { sql } from 'kysely';
import type { Db, DbOrTrx } from '../platform/db.ts';
import type { CampaignStore, StoredCampaign } from './campaign.service.ts';
import { listCampaignsForEditor } from './campaign-list.ts';


/** Stores a new version; returns false if that (id, version) already exists (versions are immutable). */
export async function insertCampaignVersion(db: DbOrTrx, id: string, version: number, rules: unknown, createdBy: string): Promise<boolean> {
  await db.insertInto('campaigns').values({ id, live_version: null }).onConflict((oc) => oc.column('id').doNothing()).execute();
  const rows = await db.insertInto('campaign_versions')
    .values({ campaign_id: id, version, rules: JSON.stringify(rules), created_by: createdBy })
    .onConflict((oc) => oc.columns(['campaign_id', 'version']).doNothing())
    .returning('version').execute();
  return rows.length === 1;
}

export async function setLiveVersion(db: DbOrTrx, id: string, version: number): Promise<void> {
  await db.updateTable('campaigns').set({ live_version: version }).where('id', '=', id).execute();
}

export async function latestVersionNumber(db: DbOrTrx, id: string): Promise<number> {
  const r = await db.selectFrom('campaign_versions').select(sql<number>`coalesce(max(version), 0)::int`.as('v'))
    .where('campaign_id', '=', id).executeTakeFirstOrThrow();
  return r.v;
}

/** Every campaign's live version (the set citizens are served). */
export async function listLiveCampaigns(db: DbOrTrx): Promise<StoredCampaign[]> {
  const rows = await db.selectFrom('campaigns')
    .innerJoin('campaign_versions', (j) => j.onRef('campaign_versions.campaign_id', '=', 'campaigns.id')
      .onRef('campaign_versions.version', '=', 'campaigns.live_version'))
    .select(['campaigns.id', 'campaign_versions.version', 'campaign_versions.rules'])
    .orderBy('campaigns.id').execute();
  return rows.map((r) => ({ id: r.id, version: r.version, rules: r.rules, isLive: true }));
}

export async function listCampaignVersions(db: DbOrTrx, id: string): Promise<StoredCampaign[]> {
  const rows = await db.selectFrom('campaign_versions')
    .leftJoin('campaigns', 'campaigns.id', 'campaign_versions.campaign_id')
    .select(['campaign_versions.campaign_id as id', 'campaign_versions.version', 'campaign_versions.rules', 'campaigns.live_version'])
    .where('campaign_versions.campaign_id', '=', id).orderBy('campaign_versions.version', 'desc').execute();
  return rows.map((r) => ({ id: r.id, version: r.version, rules: r.rules, isLive: r.live_version === r.version }));
}

/** The campaign store the service receives (campaign.service.ts `CampaignStore`), over Kysely. */
export function createCampaignRepository(db: Db): CampaignStore {
  return {
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
