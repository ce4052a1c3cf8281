/**
 * Helpers for integration tests that need Redis: reachability (fail under CI, skip elsewhere),
 * unique key prefixes, and deleting a prefix's keys afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { prefixPattern, untaggedPrefixPattern } from './keys.ts';

export const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

/** Resolves to a reason to skip, or null when Redis answers. Under CI an unreachable Redis throws. */
export async function redisSkipReason(url = REDIS_URL): Promise<string | null> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
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

export async function deletePrefix(url: string, prefix: string): Promise<number> {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    for (const pattern of [prefixPattern(prefix), untaggedPrefixPattern(prefix)]) {
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) deleted += await r.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    r.disconnect();
  }
  return deleted;
}
