import type { ColumnType, Generated, Selectable } from 'kysely';

export interface CampaignVersionsTable {
  campaign_id: string;
  version: number;
  /** The validated CampaignRules JSON (src/eligibility/rules.ts). */
  rules: ColumnType<unknown, string, string>;
  created_at: Generated<Date>;
  created_by: string;
}
export interface CampaignsTable {
  id: string;
  live_version: number | null;
}
export type CampaignVersionRow = Selectable<CampaignVersionsTable>;
