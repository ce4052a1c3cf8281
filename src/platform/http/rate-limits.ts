/**
 * The one way a route limits requests per key (an identity, an address): @fastify/rate-limit's
 * counter stores, called from a route hook, so the key can come from what earlier hooks
 * established (the verified session) and a refusal is the table's 429 problem with Retry-After.
 *
 * Counters live in Redis when a scope registers with one (shared by every process) and in this
 * process's memory otherwise (no round trip; a client spreading requests over N processes gets at
 * most N times the allowance). Keys are `<namespace><name>:<id>`, e.g. `…rl:join:<identity hash>`.
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

/**
 * The refusal's body, rendered once: the same problem sendProblem would send, without a serializer
 * run per refusal (a refusal should cost what a hello-world answer does).
 */
const TOO_MANY_REQUESTS = problemBody('too-many-requests');
const TOO_MANY_REQUESTS_TEXT = JSON.stringify(TOO_MANY_REQUESTS);

/** Keys one process keeps in memory per limit (least recently used go first). */
const MEMORY_KEYS_PER_LIMIT = 100_000;
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

type CounterStore = InstanceType<typeof LocalStore> | InstanceType<typeof RedisStore>;

function storeFor(o: LimitStoreOptions): CounterStore {
  return o.redis
    ? new RedisStore(false, false, o.redis, o.nameSpace)
    : new LocalStore(false, false, MEMORY_KEYS_PER_LIMIT);
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
  const store = storeFor(o);
  const prefix = `${name}:`;
  return (req, reply, done) => {
    store.incr(
      prefix + idOf(req),
      (err, counted) => {
        if (err || !counted) return done(err ?? new Error(`rate limit ${name}: no count`));
        if (counted.current <= maxPerMinute) return done();
        reply
          .code(TOO_MANY_REQUESTS.status)
          .type('application/problem+json')
          .header('retry-after', Math.ceil(counted.ttl / 1000))
          .send(TOO_MANY_REQUESTS_TEXT);
      },
      WINDOW_MS,
      maxPerMinute,
    );
  };
}
