/**
 * Helpers for integration tests that need Redis: reachability (fail under CI, skip elsewhere),
 * unique key prefixes, and deleting a prefix's keys afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

/** Resolves to a reason to skip, or null when Redis answers. Under CI an unreachable Redis throws. */
export async function redisSkipReason(url = REDIS_URL): Promise<string | null> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
  });
  probe.on('error', () => {}); // the failure is reported by connect() below
  try {
    await probe.connect();
    await probe.ping();
    return null;
  } catch (e) {
    if (process.env.CI === 'true') throw new Error(`Redis at ${url} is required under CI: ${(e as Error).message}`);
    return `Redis at ${url} unreachable (${(e as Error).message}); skipped outside CI`;
  } finally {
    probe.disconnect();
  }
}

export const uniquePrefix = (): string => `t${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;

/** Re-exported so tests import their Redis helpers from one place. */
export { deletePrefix } from '../../src/waiting-room/redis-cleanup.ts';
