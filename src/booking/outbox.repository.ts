/**
 * Outbox rows waiting to be sent. A sender claims a batch by leasing it (next_attempt_at moved to
 * the end of the lease, in one autocommitted statement with SKIP LOCKED, so two senders never claim
 * one row), then marks the messages its channel accepted sent, a few at a time in one statement. A
 * sender that dies mid-round leaves its unsent claims to come due again when their lease ends; only
 * messages whose send finished but whose mark did not land are ever sent twice.
 */
import { sql } from 'kysely';
import type { DbOrTrx } from '../platform/db.ts';
import type { OutboxRow } from './booking.table.ts';

/**
 * Leases up to `limit` messages due at `nowMs` until `nowMs + leaseMs`; the longest due first (a
 * fresh message is due when it is written, so that is also oldest first), ties by id. In the order
 * of the pending index (`outbox_pending`, on next_attempt_at), so the scan stops after `limit` rows:
 * ordered by id alone, every due row was read and sorted on every claim, which under a backlog was
 * ~12 outbox rows fetched per booking (bench, 2026-11-30) instead of ~1.
 */
export async function claimDueMessages(
  db: DbOrTrx,
  nowMs: number,
  limit: number,
  leaseMs: number,
): Promise<OutboxRow[]> {
  const rows = await db
    .updateTable('outbox')
    .set({ next_attempt_at: new Date(nowMs + leaseMs) })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('outbox')
        .select('id')
        .where('sent_at', 'is', null)
        .where('failed_at', 'is', null)
        .where('next_attempt_at', '<=', new Date(nowMs))
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
  return rows.sort((a, b) => a.id - b.id);
}

/** Marks messages sent (the channel accepted them), in one statement. */
export async function markSent(db: DbOrTrx, ids: readonly number[], nowMs: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('outbox')
    .set({ sent_at: new Date(nowMs), attempts: sql`attempts + 1`, last_error: null })
    .where('id', 'in', ids)
    .execute();
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
