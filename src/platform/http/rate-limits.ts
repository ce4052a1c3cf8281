/**
 * The one way a route limits requests per key (an identity, an address): @fastify/rate-limit's
 * counters, called from a route hook, so the key can come from what earlier hooks established
 * (the verified session) and a refusal is the table's 429 problem with Retry-After.
 *
 * Counters live in Redis when a scope registers with one (shared by every process) and in this
 * process's memory otherwise (no round trip; a client spreading requests over N processes gets at
 * most N times the allowance). Keys are `<namespace><name>:<id>`, e.g. `…rl:join:<identity hash>`:
 * the plugin's own child stores add the route's method and URL, which a hook-made limiter does not
 * have (keys came out as `…undefinedundefined-join:…`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit';
import RedisStore from '@fastify/rate-limit/store/RedisStore.js';
import LocalStore from '@fastify/rate-limit/store/LocalStore.js';
import type { Cluster, Redis } from 'ioredis';
import { problemBody } from './errors.ts';

/**
 * The refusal's body, rendered once: the same problem sendProblem would send, without a serializer
 * run per refusal (a refusal should cost what a hello-world answer does).
 */
const TOO_MANY_REQUESTS = problemBody('too-many-requests');
const TOO_MANY_REQUESTS_TEXT = JSON.stringify(TOO_MANY_REQUESTS);

/** Keys one process keeps in memory per limit (least recently used go first). */
const MEMORY_KEYS_PER_LIMIT = 100_000;

/** What the plugin passes a store about counting (the merged limiter options). */
interface StoreParams {
  continueExceeding?: boolean;
  exponentialBackoff?: boolean;
}

export interface LimitStoreOptions {
  redis?: Redis | Cluster | null;
  /** Redis key prefix of the counters (with Redis only). */
  nameSpace?: string;
}

/** Registers the limiter in `app`'s scope; `limitBy` then makes hooks from it. */
export async function registerLimits(app: FastifyInstance, o: LimitStoreOptions = {}) {
  const { redis, nameSpace } = o;
  const storeOf = (p: StoreParams): FastifyRateLimitStore =>
    redis
      ? new RedisStore(p.continueExceeding ?? false, p.exponentialBackoff ?? false, redis, nameSpace)
      : new LocalStore(p.continueExceeding ?? false, p.exponentialBackoff ?? false, MEMORY_KEYS_PER_LIMIT);
  class NamedKeyStore implements FastifyRateLimitStore {
    private readonly store: FastifyRateLimitStore;
    constructor(p: StoreParams) {
      this.store = storeOf(p);
    }
    incr(...args: Parameters<FastifyRateLimitStore['incr']>) {
      this.store.incr(...args);
    }
    /** Each limiter's own counters, keyed only by what its key function returns. */
    child(p: Parameters<FastifyRateLimitStore['child']>[0]) {
      return storeOf(p as StoreParams);
    }
  }
  await app.register(rateLimit, { global: false, store: NamedKeyStore });
}

/**
 * A hook allowing `maxPerMinute` requests per key; over it, a 429 problem (the table's
 * `too-many-requests`: "your place is kept") with Retry-After in seconds. `name` starts the key,
 * so limits sharing a scope never share counters.
 */
export function limitBy(
  app: FastifyInstance,
  name: string,
  maxPerMinute: number,
  idOf: (req: FastifyRequest) => string,
) {
  const check = app.createRateLimit({
    max: maxPerMinute,
    timeWindow: 60_000,
    keyGenerator: (req) => `${name}:${idOf(req)}`,
  });
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const limit = await check(req);
    if (limit.isAllowed || !limit.isExceeded) return;
    return reply
      .code(TOO_MANY_REQUESTS.status)
      .type('application/problem+json')
      .header('retry-after', limit.ttlInSeconds)
      .send(TOO_MANY_REQUESTS_TEXT);
  };
}
