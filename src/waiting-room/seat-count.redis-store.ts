/**
 * SeatCountStore on Redis (or Redis Cluster): per campaign one JSON string and one lease string
 * (keys.ts `seatCountKeys`), each with its own expiry. Plain commands, no script: the lease is
 * SET NX PX, and a count is written whole by the lease's holder.
 */
import type { Cluster, Redis } from 'ioredis';
import { seatCountKeys } from './keys.ts';
import { parseKeptSeatCount, type SeatCountStore } from './seat-count.store.ts';

export function createRedisSeatCountStore(o: { client: Redis | Cluster; keyPrefix: string }): SeatCountStore {
  const keys = (campaignId: string) => seatCountKeys(o.keyPrefix, campaignId);
  return {
    async latestCount(campaignId) {
      const raw = await o.client.get(keys(campaignId).count);
      return raw === null ? null : parseKeptSeatCount(raw);
    },
    async claimRecount(campaignId, leaseMs) {
      return (await o.client.set(keys(campaignId).recount, '1', 'PX', Math.max(1, Math.ceil(leaseMs)), 'NX')) === 'OK';
    },
    async keepCount(campaignId, count, keepMs) {
      await o.client.set(keys(campaignId).count, JSON.stringify(count), 'PX', Math.max(1, Math.ceil(keepMs)));
    },
  };
}
