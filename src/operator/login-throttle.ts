/**
 * Operator login throttling with a lock-out, per account and per address, counted in Postgres so
 * every process sees the same attempts (issue 11: 200 wrong passwords in 7.5 s, all answered 401).
 *
 * An account (or an address) with `maxFailures` failed logins since its last success and within
 * `windowMs` is locked until `lockoutMs` after the latest of them; while locked, attempts are refused
 * without checking the password and without being recorded (a locked account cannot be kept locked
 * for ever by one more try). Per account the limit is low (a guess at one account); per address it is
 * higher (one office's operators behind one address).
 */
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db.ts';
import { err, ok, type Result } from '../platform/result.ts';

export interface LoginThrottleSettings {
  readonly windowMs: number;
  readonly lockoutMs: number;
  readonly maxFailuresPerAccount: number;
  readonly maxFailuresPerAddress: number;
}

export const defaultLoginThrottle: LoginThrottleSettings = Object.freeze({
  windowMs: 15 * 60_000,
  lockoutMs: 15 * 60_000,
  maxFailuresPerAccount: 5,
  maxFailuresPerAddress: 20,
});

export interface LoginThrottle {
  /** 'operator-locked' (detail: retryAfterSec) while the account or the address is locked out. */
  check(username: string, address: string): Promise<Result<void, 'operator-locked'>>;
  record(username: string, address: string, succeeded: boolean): Promise<void>;
}

const DAY_MS = 86_400_000;

export function createLoginThrottle(
  db: Db,
  clock: Clock,
  settings: Partial<LoginThrottleSettings> = {},
): LoginThrottle {
  const s = { ...defaultLoginThrottle, ...settings };

  /** Epoch ms until which `column = value` is locked, or 0. */
  async function lockedUntil(column: 'username' | 'address', value: string, max: number): Promise<number> {
    const now = clock.nowMs();
    const rows = await db
      .selectFrom('operator_login_attempts')
      .select(['at_ms', 'succeeded'])
      .where(column, '=', value)
      .where('at_ms', '>', now - s.windowMs)
      .orderBy('at_ms', 'desc')
      .orderBy('id', 'desc')
      .execute();
    const sinceSuccess = rows.findIndex((r) => r.succeeded);
    const failures = sinceSuccess < 0 ? rows : rows.slice(0, sinceSuccess);
    if (failures.length < max) return 0;
    const until = failures[0]!.at_ms + s.lockoutMs;
    return until > now ? until : 0;
  }

  return {
    async check(username, address) {
      const until = Math.max(
        await lockedUntil('username', username, s.maxFailuresPerAccount),
        await lockedUntil('address', address, s.maxFailuresPerAddress),
      );
      return until === 0
        ? ok(undefined)
        : err('operator-locked', { retryAfterSec: Math.ceil((until - clock.nowMs()) / 1000) });
    },
    async record(username, address, succeeded) {
      const now = clock.nowMs();
      await db.insertInto('operator_login_attempts').values({ at_ms: now, username, address, succeeded }).execute();
      await db
        .deleteFrom('operator_login_attempts')
        .where('at_ms', '<', now - DAY_MS)
        .execute();
    },
  };
}
