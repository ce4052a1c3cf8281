import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createRedisTurnNoticeStore } from './turn-notice.redis-store.ts';
import { deletePrefix, REDIS_URL, redisSkipReason, uniquePrefix } from '../../test/support/redis.ts';
import { turnNoticeStoreContract } from '../../test/contracts/turn-notice-store.contract.ts';

const skip = await redisSkipReason();

if (skip) {
  describe('TurnNoticeStore contract: redis', () => {
    it('needs Redis', { skip }, () => {});
  });
} else {
  turnNoticeStoreContract('redis', async () => {
    const keyPrefix = uniquePrefix();
    const client = new Redis(REDIS_URL);
    return {
      store: createRedisTurnNoticeStore({ client, keyPrefix }),
      async cleanup() {
        client.disconnect();
        await deletePrefix(REDIS_URL, keyPrefix);
      },
    };
  });
}
