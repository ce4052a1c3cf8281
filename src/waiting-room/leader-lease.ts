/**
 * Exactly one process admits people: two tickers would double the admission rate. With Redis the
 * admission leader holds a lease (SET NX PX, renewed while held; a dead leader's lease runs out in
 * `ttlMs` and another process takes over). Without Redis there is one process, which always leads.
 */
import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

export interface LeaderLease {
  /** True when this process holds (or just took, or renewed) the lease. */
  tryHold(): Promise<boolean>;
}

const RENEW_IF_MINE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

export function redisLeaderLease(redis: Redis | Cluster, key: string, ttlMs: number): LeaderLease {
  // `pid:uuid`: unique per process, and an operator (or a test) can see which process leads.
  const me = `${process.pid}:${randomUUID()}`;
  return {
    async tryHold() {
      if ((await redis.eval(RENEW_IF_MINE, 1, key, me, String(ttlMs))) === 1) return true;
      return (await redis.set(key, me, 'PX', ttlMs, 'NX')) === 'OK';
    },
  };
}

export const soleLeader: LeaderLease = { tryHold: async () => true };
