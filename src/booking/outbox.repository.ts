/**
 * Outbox rows waiting to be sent. A sender claims a batch by leasing it (next_attempt_at moved to
 * the end of the lease, in one autocommitted statement with SKIP LOCKED, so two senders never claim
 * one row), then marks the messages its channel accepted sent, a few at a time in one statement. A
 * sender that dies mid-round leaves its unsent claims to come due again when their lease ends; only
 * messages whose send finished but whose mark did not land are ever sent twice.
 */
import { sql } from 'kysely';
import { PREPARED, type DbOrTrx } from '../platform/db.ts';
import type { OutboxRow } from './booking.table.ts';

/**
 * Leases up to `limit` messages due at `nowMs` until `nowMs + leaseMs`; the longest due first (a
 * fresh message is due when it is written, so that is also oldest first). In the pending index's
 * own order (`outbox_pending`, on next_attempt_at) with nothing to sort, so the scan stops after
 * `limit` rows whatever the planner knows of the table; the ids go to the UPDATE as an array, so it
 * finds them by primary key (a semi-join may read the whole table). Ordered by id, as before, every
 * due row was read and sorted on each claim: a backlog of N due messages cost N rows per claim
 * (EXPLAIN on a table without statistics, as the bench's fresh one is: 3,001 rows read for 100).
 * Returned in id order.
 */
export async function claimDueMessages(
  db: DbOrTrx,
  nowMs: number,
  limit: number,
  leaseMs: number,
): Promise<OutboxRow[]> {
  const r =
    await sql<OutboxRow>`${sql.raw(PREPARED)}UPDATE outbox SET next_attempt_at = ${new Date(nowMs + leaseMs).toISOString()}::timestamptz
    WHERE id = ANY (ARRAY(
      SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ${new Date(nowMs).toISOString()}::timestamptz
      ORDER BY next_attempt_at LIMIT ${limit}::int FOR UPDATE SKIP LOCKED))
    RETURNING *`.execute(db);
  return r.rows.sort((a, b) => a.id - b.id);
}

/** Marks messages sent (the channel accepted them), in one statement. */
export async function markSent(db: DbOrTrx, ids: readonly number[], nowMs: number): Promise<void> {
  if (ids.length === 0) return;
  // One prepared text whatever the count (an IN list is a new text per count, parsed and planned each time).
  await sql`${sql.raw(PREPARED)}UPDATE outbox SET sent_at = ${new Date(nowMs).toISOString()}::timestamptz,
    attempts = attempts + 1, last_error = NULL WHERE id = ANY (${[...ids]}::bigint[])`.execute(db);
}

/** Records a failed attempt: retried at `nextAttemptMs`, or given up (failed_at) when `giveUp`. */
export async function markAttemptFailed(
  db: DbOrTrx,
  id: number,
  a: { nowMs: number; nextAttemptMs: number; error: string; giveUp: boolean },
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      attempts: sql`attempts + 1`,
      next_attempt_at: new Date(a.nextAttemptMs),
      last_error: a.error.slice(0, 500),
      failed_at: a.giveUp ? new Date(a.nowMs) : null,
    })
    .where('id', '=', id)
    .execute();
}

export async function outboxCounts(db: DbOrTrx): Promise<{ pending: number; sent: number; failed: number }> {
  const r = await db
    .selectFrom('outbox')
    .select([
      sql<number>`count(*) filter (where sent_at is null and failed_at is null)::int`.as('pending'),
      sql<number>`count(*) filter (where sent_at is not null)::int`.as('sent'),
      sql<number>`count(*) filter (where failed_at is not null)::int`.as('failed'),
    ])
    .executeTakeFirstOrThrow();
  return r;
}
