/**
 * Deleting the keys a key prefix owns, for everything that creates a prefix of its own and must
 * leave the shared Redis as it found it: tests, benchmarks and simulator runs.
 */
import { Redis } from 'ioredis';
import { prefixPattern, untaggedPrefixPattern } from './keys.ts';

/** Every key pattern a prefix owns: partitions (hash-tagged), leader lease and rate-limit counters. */
export const prefixKeyPatterns = (prefix: string): string[] => [prefixPattern(prefix), untaggedPrefixPattern(prefix)];

/**
 * Deletes the keys of one node that match `pattern` (SCAN, never KEYS). `oneKeyPerDel` for a
 * cluster node, where the keys of one DEL could span hash slots.
 */
export async function scanDelete(r: Redis, pattern: string, oneKeyPerDel = false): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length === 0) continue;
    if (oneKeyPerDel) for (const k of keys) deleted += await r.del(k);
    else deleted += await r.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Deletes every key `prefix` owns on the Redis at `url`; returns how many. */
export async function deletePrefix(url: string, prefix: string): Promise<number> {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    for (const pattern of prefixKeyPatterns(prefix)) deleted += await scanDelete(r, pattern);
  } finally {
    r.disconnect();
  }
  return deleted;
}
