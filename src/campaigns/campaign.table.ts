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

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** A stored version's way to going live (0005_operations.sql): pending → approved → published. */
export interface CampaignReviewsTable {
  campaign_id: string;
  version: number;
  state: 'pending' | 'approved' | 'published' | 'withdrawn';
  author: string;
  submitted_at: Timestamp;
  base_live_version: number | null;
  approver: string | null;
  approved_at: Timestamp | null;
  publish_at: Timestamp | null;
  published_at: Timestamp | null;
  published_by: string | null;
}
