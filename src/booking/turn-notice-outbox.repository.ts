/**
 * The waiting room's "your turn is near" messages in the transactional outbox (migrations/0006),
 * delivered by the same sender and channel as booking confirmations. Each message is one row, keyed
 * by its notice (unique), so writing the same notices twice writes them once. The recipient's phone
 * comes from the registry (people.phone) in the same statement: the waiting room never holds it.
 */
import { sql } from 'kysely';
import type { DbOrTrx } from '../platform/db.ts';

export interface TurnNoticeRow {
  readonly key: string;
  readonly identityHash: string;
  readonly link: string;
  readonly text: { readonly ko: string; readonly en: string };
}

/** Inserts the messages not written before; people without a registry row get none. Returns rows written. */
export async function writeTurnNotices(db: DbOrTrx, rows: readonly TurnNoticeRow[], nowMs: number): Promise<number> {
  if (rows.length === 0) return 0;
  const at = new Date(nowMs).toISOString();
  const input = JSON.stringify(
    rows.map((r) => ({ key: r.key, identity_hash: r.identityHash, link: r.link, text: r.text })),
  );
  const r = await sql`
    INSERT INTO outbox (booking_id, kind, payload, created_at, next_attempt_at, notice_key)
    SELECT NULL, 'turn-near', jsonb_build_object('to', p.phone, 'text', m.text, 'link', m.link),
           ${at}::timestamptz, ${at}::timestamptz, m.key
    FROM jsonb_to_recordset(${input}::jsonb) AS m(key text, identity_hash text, link text, text jsonb)
    JOIN people p ON p.identity_hash = m.identity_hash
    ON CONFLICT (notice_key) WHERE notice_key IS NOT NULL DO NOTHING`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** Messages written for one campaign: in the minute before `nowMs`, and in all. */
export async function turnNoticeCounts(
  db: DbOrTrx,
  campaignId: string,
  nowMs: number,
): Promise<{ lastMinute: number; total: number }> {
  const since = new Date(nowMs - 60_000).toISOString();
  const r = await sql<{ last_minute: number; total: number }>`
    SELECT count(*) FILTER (WHERE created_at > ${since}::timestamptz)::int AS last_minute, count(*)::int AS total
    FROM outbox WHERE kind = 'turn-near' AND notice_key LIKE ${`${campaignId}/%`}`.execute(db);
  const row = r.rows[0];
  return { lastMinute: row?.last_minute ?? 0, total: row?.total ?? 0 };
}
