/**
 * The one way a route limits requests per key (an identity, an address): @fastify/rate-limit's
 * counter stores, called from a route hook, so the key can come from what earlier hooks
 * established (the verified session) and a refusal is the table's 429 problem with Retry-After.
 *
 * Counters live in Redis when a scope registers with one (shared by every process) and in this
 * process's memory otherwise (no round trip; a client spreading requests over N processes gets at
 * most N times the allowance). Keys are `<namespace><name>:<id>`, e.g. `…rl:join:<identity hash>`.
 * A shared limit of at least 2,000 a minute is told to Redis in batches (batched-counts.ts): each
 * process adds its counts `floor(max / 1000)` (at most 8) at a time, so a key seen once costs no
 * round trip, and N processes allow at most `max × (1 + N / 1000)` plus one round trip's arrivals
 * each. Smaller limits count exactly, one round trip per request (`<namespace><name>:<id>`); batched
 * ones under `<namespace><name>:<id>:<window>` (clock-aligned windows).
 *
 * The hook calls the store itself, callback style, instead of the plugin's `createRateLimit`: that
 * one awaited the key, wrapped the store's callback in a promise and read `request.routeOptions`
 * (a getter building an object) on every request — the per-address refusal of a poll, which should
 * cost what a hello-world answer does, paid all of it. Counting is the same store code.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import RedisStore from '@fastify/rate-limit/store/RedisStore.js';
import LocalStore from '@fastify/rate-limit/store/LocalStore.js';
import type { Cluster, Redis } from 'ioredis';
import { problemBody } from './errors.ts';
import { REFUSAL_HEADERS } from './security-headers.ts';
import { ADD_COUNT_LUA, createBatchedCounter, type SharedCountPort } from './batched-counts.ts';

/**
 * The refusal's body, rendered once: the same problem sendProblem would send, without a serializer
 * run per refusal (a refusal should cost what a hello-world answer does).
 */
const TOO_MANY_REQUESTS = problemBody('too-many-requests');
const TOO_MANY_REQUESTS_TEXT = JSON.stringify(TOO_MANY_REQUESTS);

/** Keys one process keeps in memory per limit (least recently used go first). */
const MEMORY_KEYS_PER_LIMIT = 100_000;
/**
 * Keys a batched shared limit keeps per window (an address and a small count each, ~60 bytes: ~30
 * MB at most); one process's joins for a minute from distinct addresses fit.
 */
const BATCHED_KEYS_PER_LIMIT = 500_000;
const WINDOW_MS = 60_000;

export interface LimitStoreOptions {
  redis?: Redis | Cluster | null;
  /** Redis key prefix of the counters (with Redis only). */
  nameSpace?: string;
}

/** Where each scope's limits count (set by registerLimits, read by limitBy). */
const scopes = new WeakMap<FastifyInstance, LimitStoreOptions>();

/** Says where the limits made in `app`'s scope count: Redis when given one, this process's memory otherwise. */
export async function registerLimits(app: FastifyInstance, o: LimitStoreOptions = {}) {
  scopes.set(app, o);
}

/** Counts a process gathers per key before adding them to Redis: 0.1 % of the allowance, at most 8. */
export function batchFor(maxPerMinute: number): number {
  return Math.min(8, Math.floor(maxPerMinute / 1000));
}

type CounterStore = Pick<InstanceType<typeof LocalStore>, 'incr'>;

function storeFor(o: LimitStoreOptions, maxPerMinute: number): CounterStore {
  if (!o.redis) return new LocalStore(false, false, MEMORY_KEYS_PER_LIMIT);
  const batch = batchFor(maxPerMinute);
  if (batch < 2) return new RedisStore(false, false, o.redis, o.nameSpace);
  return createBatchedCounter({
    shared: sharedCounts(o.redis),
    nameSpace: o.nameSpace ?? '',
    batch,
    maxKeys: BATCHED_KEYS_PER_LIMIT,
  });
}

type WithAddCount = { addCount(key: string, delta: number, ttlMs: number): Promise<number> };

/** The batched counter's Redis side: ADD_COUNT_LUA, one script call per batch (EVALSHA). */
function sharedCounts(redis: Redis | Cluster): SharedCountPort {
  const r = redis as unknown as Partial<WithAddCount> & Pick<Redis, 'defineCommand'>;
  if (!r.addCount) r.defineCommand('addCount', { numberOfKeys: 1, lua: ADD_COUNT_LUA });
  const client = r as WithAddCount;
  return { add: (key, delta, ttlMs) => client.addCount(key, delta, ttlMs) };
}

type Done = (err?: Error) => void;

/**
 * A hook allowing `maxPerMinute` requests per key; over it, a 429 problem (the table's
 * `too-many-requests`: "your place is kept") with Retry-After in seconds. `name` starts the key,
 * so limits sharing a scope never share counters. Callback style: usable in onRequest and
 * preHandler lists, and from another hook as `limit(req, reply, done)`.
 */
export function limitBy(
  app: FastifyInstance,
  name: string,
  maxPerMinute: number,
  idOf: (req: FastifyRequest) => string,
): (req: FastifyRequest, reply: FastifyReply, done: Done) => void {
  const o = scopes.get(app);
  if (!o) throw new Error(`limitBy('${name}') in a scope without registerLimits`);
  const store = storeFor(o, maxPerMinute);
  const prefix = `${name}:`;
  return (req, reply, done) => {
    store.incr(
      prefix + idOf(req),
      (err, counted) => {
        if (err || !counted) return done(err ?? new Error(`rate limit ${name}: no count`));
        if (counted.current <= maxPerMinute) return done();
        reply
          .code(TOO_MANY_REQUESTS.status)
          .headers(REFUSAL_HEADERS)
          .header('retry-after', Math.ceil(counted.ttl / 1000))
          .send(TOO_MANY_REQUESTS_TEXT);
      },
      WINDOW_MS,
      maxPerMinute,
    );
  };
}
