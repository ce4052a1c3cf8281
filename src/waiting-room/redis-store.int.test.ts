import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { partitionKeys } from './keys.ts';
import { createRedisStore } from './redis-store.ts';
import { deletePrefix, REDIS_URL, redisSkipReason, uniquePrefix } from '../../test/support/redis.ts';
import { storeContract } from '../../test/contracts/waiting-room-store.contract.ts';

const skip = await redisSkipReason();

if (skip) {
  describe('WaitingRoomStore contract: redis', () => {
    it('needs Redis', { skip }, () => {});
  });
} else {
  storeContract('redis', async () => {
    const keyPrefix = uniquePrefix();
    const store = createRedisStore({ url: REDIS_URL, keyPrefix });
    return {
      store,
      async cleanup() {
        await store.close();
        await deletePrefix(REDIS_URL, keyPrefix);
      },
    };
  });

  describe('redis store layout', () => {
    const keyPrefix = uniquePrefix();
    const store = createRedisStore({ url: REDIS_URL, keyPrefix });
    const raw = new Redis(REDIS_URL);
    const ref = { campaignId: 'layout', partition: 3 };
    const keys = partitionKeys(keyPrefix, ref);
    before(async () => {
      await store.openQueue(ref);
    });
    after(async () => {
      await store.close();
      raw.disconnect();
      await deletePrefix(REDIS_URL, keyPrefix);
    });

    it('keeps a waiting person as one short hash field under the partition hash tag', async () => {
      const opens = 1_700_000_000_000;
      await store.join(
        ref,
        { identityHash: 'x'.repeat(43), deviceId: 'device-uuid-0000-1111', preScore: 1, lockoutMs: 1 },
        { nowMs: opens, opensAtMs: opens },
      );
      const fields = await raw.hgetall(keys.people);
      const [field, stored] = Object.entries(fields)[0]!;
      assert.equal(field.length, 22);
      assert.match(stored, /^1:[A-Za-z0-9_-]{11}:W$/);
      assert.ok(keys.people.startsWith(`{wr:${keyPrefix}:layout:3}`));
    });

    it('reloads its scripts after SCRIPT FLUSH (EVALSHA falls back on NOSCRIPT)', async () => {
      await raw.script('FLUSH');
      const r = await store.stats(ref, { nowMs: 1, opensAtMs: 0 });
      assert.equal(r.ok, true);
      // joinMany is a plain EVALSHA (a variable key count), with its own fallback to EVAL.
      await raw.script('FLUSH');
      const at = { nowMs: 1_700_000_000_000, opensAtMs: 0 };
      const joined = await store.joinMany(ref, [{ identityHash: 'y', deviceId: 'd', preScore: 1, lockoutMs: 1 }], at);
      assert.equal(joined.ok && joined.value[0]?.ok, true);
      assert.equal(
        (await store.joinMany(ref, [{ identityHash: 'z', deviceId: 'd', preScore: 1, lockoutMs: 1 }], at)).ok,
        true,
      );
    });
  });
}
