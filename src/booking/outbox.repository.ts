/** Outbox rows waiting to be sent, claimed with SKIP LOCKED so several senders never share one. */
import { sql } from 'kysely';
import type { DbOrTrx } from '../platform/db.ts';
import type { OutboxRow } from './booking.table.ts';

export async function claimDueMessages(db: DbOrTrx, nowMs: number, limit: number): Promise<OutboxRow[]> {
  return db.selectFrom('outbox').selectAll()
    .where('sent_at', 'is', null).where('failed_at', 'is', null).where('next_attempt_at', '<=', new Date(nowMs))
    .orderBy('id').limit(limit).forUpdate().skipLocked().execute();
}

/** Marks every message in `ids` sent in one statement (the sender's round, one round trip). */
export async function markAllSent(db: DbOrTrx, ids: readonly number[], nowMs: number): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('outbox').set({ sent_at: new Date(nowMs), attempts: sql`attempts + 1`, last_error: null }).where('id', 'in', [...ids]).execute();
}

/** Records a failed attempt: retried at `nextAttemptMs`, or given up (failed_at) when `giveUp`. */
export async function markAttemptFailed(db: DbOrTrx, id: number, a: { nowMs: number; nextAttemptMs: number; error: string; giveUp: boolean }): Promise<void> {
  await db.updateTable('outbox').set({
    attempts: sql`attempts + 1`, next_attempt_at: new Date(a.nextAttemptMs), last_error: a.error.slice(0, 500),
    failed_at: a.giveUp ? new Date(a.nowMs) : null,
  }).where('id', '=', id).execute();
}

export async function outboxCounts(db: DbOrTrx): Promise<{ pending: number; sent: number; failed: number }> {
  const r = await db.selectFrom('outbox').select([
    sql<number>`count(*) filter (where sent_at is null and failed_at is null)::int`.as('pending'),
    sql<number>`count(*) filter (where sent_at is not null)::int`.as('sent'),
    sql<number>`count(*) filter (where failed_at is not null)::int`.as('failed'),
  ]).executeTakeFirstOrThrow();
  return r;
}
