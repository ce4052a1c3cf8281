import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createRedisSeatCountStore } from './seat-count.redis-store.ts';
import { deletePrefix, REDIS_URL, redisSkipReason, uniquePrefix } from '../../test/support/redis.ts';
import { seatCountStoreContract } from '../../test/contracts/seat-count-store.contract.ts';

const skip = await redisSkipReason();

if (skip) {
  describe('SeatCountStore contract: redis', () => {
    it('needs Redis', { skip }, () => {});
  });
} else {
  seatCountStoreContract('redis', async () => {
    const keyPrefix = uniquePrefix();
    const client = new Redis(REDIS_URL);
    return {
      store: createRedisSeatCountStore({ client, keyPrefix }),
      pass: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      async cleanup() {
        client.disconnect();
        await deletePrefix(REDIS_URL, keyPrefix);
      },
    };
  });
}
