/**
 * The process's Redis connection: a Redis Cluster when REDIS_CLUSTER_NODES is set, one Redis when
 * REDIS_URL is, none otherwise (then the waiting room keeps its queue in memory, one process only).
 * On a cluster every queue partition is one hash tag, so every script and the leader lease stay
 * single-slot; ioredis follows MOVED/ASK and reloads the slot map itself.
 */
import { Cluster, Redis } from 'ioredis';
import type { Config } from './config.ts';

export type RedisClient = Redis | Cluster;

export function connectRedis(config: Pick<Config, 'redisUrl' | 'redisClusterNodes'>): RedisClient | null {
  const redisOptions = { maxRetriesPerRequest: 2, enableOfflineQueue: true, enableAutoPipelining: true };
  if (config.redisClusterNodes)
    return new Cluster(
      config.redisClusterNodes.map((n) => ({ ...n })),
      { redisOptions },
    );
  return config.redisUrl ? new Redis(config.redisUrl, redisOptions) : null;
}
