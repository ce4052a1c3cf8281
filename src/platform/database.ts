import type { BookingsTable, OutboxTable, SlotsTable } from '../booking/booking.table.ts';
import type { CampaignVersionsTable, CampaignsTable } from '../campaigns/campaign.table.ts';
import type { FacilitiesTable } from '../facilities/facilities.table.ts';
import type { PeopleTable } from '../people/people.table.ts';
import type { AuditLogTable } from '../audit/audit.table.ts';
import type { CampaignReviewsTable } from '../campaigns/campaign.table.ts';
import type { AdmissionsTable } from '../waiting-room/admission.table.ts';
import type { AgentAdmissionsTable, AgentLaneQuotasTable } from '../agents/agent.table.ts';

/** Every table Kysely may touch; each capability owns its own table file. */
export interface Database {
  campaign_versions: CampaignVersionsTable;
  campaigns: CampaignsTable;
  people: PeopleTable;
  facilities: FacilitiesTable;
  slots: SlotsTable;
  bookings: BookingsTable;
  outbox: OutboxTable;
  campaign_reviews: CampaignReviewsTable;
  audit_log: AuditLogTable;
  admissions: AdmissionsTable;
  agent_lane_quotas: AgentLaneQuotasTable;
  agent_admissions: AgentAdmissionsTable;
  dashboard_samples: {
    campaign_id: string;
    at_ms: number;
    process_id: string;
    waiting: number | null;
    admitted_per_sec: number | null;
    bookings_per_sec: number;
    p50_ms: number | null;
    p99_ms: number | null;
    eta_p50_sec: number | null;
    eta_p90_sec: number | null;
  };
  schema_migrations: { name: string; applied_at: Date };
  waiting_room_checkpoints: {
    campaign_id: string;
    partition: number;
    cursor: number;
    tail: number;
    frozen: number | null;
    pre_room: number;
    claimed_total: number;
    grace_floor: number;
    saved_at_ms: number;
  };
  waiting_room_draw_seeds: { campaign_id: string; seed: Buffer; created_at: import('kysely').Generated<Date> };
  operator_sessions: {
    id: string;
    username: string;
    created_at_ms: number;
    expires_at_ms: number;
    revoked_at_ms: number | null;
  };
  operator_login_attempts: {
    id: import('kysely').Generated<number>;
    at_ms: number;
    username: string;
    address: string;
    succeeded: boolean;
  };
}
