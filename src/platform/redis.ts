/**
 * The process's Redis connection: a Redis Cluster when REDIS_CLUSTER_NODES is set, one Redis when
 * REDIS_URL is, none otherwise (then the waiting room keeps its queue in memory, one process only).
 * On a cluster every queue partition is one hash tag, so every script and the leader lease stay
 * single-slot; ioredis follows MOVED/ASK and reloads the slot map itself.
 */
import { Cluster, Redis } from 'ioredis';
import type { Config } from './config.ts';

export type RedisClient = Redis | Cluster;

/**
 * Auto-pipelining (the commands of one event-loop turn written together) is asked of the client
 * the commands are sent through: on a cluster that is the Cluster client itself, which groups them
 * per master; in the per-node `redisOptions` alone it never applied (ioredis reads the option from
 * the client a command is called on).
 */
export function connectRedis(config: Pick<Config, 'redisUrl' | 'redisClusterNodes'>): RedisClient | null {
  const redisOptions = { maxRetriesPerRequest: 2, enableOfflineQueue: true, enableAutoPipelining: true };
  if (config.redisClusterNodes)
    return new Cluster(
      config.redisClusterNodes.map((n) => ({ ...n })),
      { redisOptions, enableAutoPipelining: true },
    );
  return config.redisUrl ? new Redis(config.redisUrl, redisOptions) : null;
}
