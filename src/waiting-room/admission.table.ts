import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** The admissions ledger (0005_operations.sql): one row per admission the waiting room issued. */
export interface AdmissionsTable {
  admission_id: string;
  campaign_id: string;
  identity_hash: string;
  device_tag: string;
  queue_seq: number | null;
  pre_room: boolean;
  ticket_issued_at: Timestamp | null;
  admitted_at: Timestamp;
  expires_at: Timestamp;
  verification_provider: string | null;
  verified_at: Timestamp | null;
}
