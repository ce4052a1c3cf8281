import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json = ColumnType<unknown, string | null, never>;

/** Append-only (0005_operations.sql refuses UPDATE, DELETE and TRUNCATE): no update type. */
export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actor_kind: 'operator' | 'agent' | 'system';
  actor: string;
  action: string;
  campaign_id: string | null;
  target: string | null;
  before: Json;
  after: Json;
  detail: Json;
}
