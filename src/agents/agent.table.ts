import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** 0007_agent_lane.sql: the phone lane's share of a campaign's admission rate, set by an operator. */
export interface AgentLaneQuotasTable {
  campaign_id: string;
  share_percent: number;
  set_by: string;
  set_at: Timestamp;
}

/** 0007_agent_lane.sql: one row per caller an agent admitted through the phone lane. */
export interface AgentAdmissionsTable {
  admission_id: string;
  campaign_id: string;
  agent: string;
  identity_hash: string;
  verification_provider: string;
  verified_at: Timestamp;
  admitted_at: Timestamp;
  expires_at: Timestamp;
}
