/**
 * Operator console sessions in Postgres: each login opens a row, the signed cookie carries its id,
 * and every console request checks the row, so logout (or a revocation) ends the 8-hour token at
 * once in every process. Console traffic is a few operators polling a dashboard: one indexed read
 * per request is affordable, an unrevokable token was not (issue 11 #9).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db.ts';

export interface OperatorSessions {
  /** A new session for `username` lasting `ttlMs`; its id goes into the signed token. */
  open(username: string, ttlMs: number): Promise<{ sessionId: string; expiresAtMs: number }>;
  /** true while the session exists, belongs to `username`, has not expired and was not revoked. */
  isLive(sessionId: string, username: string): Promise<boolean>;
  /** Ends the session now. Idempotent. */
  revoke(sessionId: string): Promise<void>;
}

export function createOperatorSessions(db: Db, clock: Clock): OperatorSessions {
  return {
    async open(username, ttlMs) {
      const sessionId = randomBytes(18).toString('base64url');
      const now = clock.nowMs();
      await db
        .insertInto('operator_sessions')
        .values({ id: sessionId, username, created_at_ms: now, expires_at_ms: now + ttlMs, revoked_at_ms: null })
        .execute();
      // Expired sessions are of no use to anyone: drop them as new ones open.
      await db.deleteFrom('operator_sessions').where('expires_at_ms', '<', now).execute();
      return { sessionId, expiresAtMs: now + ttlMs };
    },
    async isLive(sessionId, username) {
      const row = await db
        .selectFrom('operator_sessions')
        .select(['username', 'expires_at_ms', 'revoked_at_ms'])
        .where('id', '=', sessionId)
        .executeTakeFirst();
      return !!row && row.username === username && row.revoked_at_ms === null && row.expires_at_ms > clock.nowMs();
    },
    async revoke(sessionId) {
      await db
        .updateTable('operator_sessions')
        .set({ revoked_at_ms: clock.nowMs() })
        .where('id', '=', sessionId)
        .where('revoked_at_ms', 'is', null)
        .execute();
    },
  };
}
