import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { REDIS_URL, redisSkipReason, uniquePrefix } from '../../test/support/redis.ts';
import { redisLeaderLease } from './leader-lease.ts';
import { admissionLeaderKey } from './keys.ts';

describe('admission leader lease', () => {
  it('lets one process lead, keeps it while renewed, and hands over when the leader stops renewing', async (t) => {
    const skip = await redisSkipReason();
    if (skip) return t.skip(skip);
    const redis = new Redis(REDIS_URL);
    const key = admissionLeaderKey(uniquePrefix());
    try {
      const a = redisLeaderLease(redis, key, 300);
      const b = redisLeaderLease(redis, key, 300);
      assert.deepEqual([await a.tryHold(), await b.tryHold()], [true, false]);
      await sleep(150);
      assert.deepEqual([await a.tryHold(), await b.tryHold()], [true, false]);
      await sleep(450);
      assert.equal(await b.tryHold(), true);
      assert.equal(await a.tryHold(), false);
    } finally {
      await redis.del(key);
      redis.disconnect();
    }
  });
});
