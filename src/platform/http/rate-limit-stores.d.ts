// The counter stores @fastify/rate-limit ships (CommonJS, untyped; the plugin's own type of a store
// leaves out the window and the maximum its stores are called with); rate-limits.ts names their keys.
// `incr` counts one request for `key` in a fixed window: `current` so far, `ttl` ms until it resets.
declare module '@fastify/rate-limit/store/RedisStore.js' {
  import type { Cluster, Redis } from 'ioredis';
  const RedisStore: new (
    continueExceeding: boolean,
    exponentialBackoff: boolean,
    redis: Redis | Cluster,
    key?: string,
  ) => {
    incr(
      key: string,
      callback: (error: Error | null, counted?: { current: number; ttl: number }) => void,
      timeWindowMs: number,
      max: number,
    ): void;
  };
  export default RedisStore;
}
declare module '@fastify/rate-limit/store/LocalStore.js' {
  const LocalStore: new (
    continueExceeding: boolean,
    exponentialBackoff: boolean,
    cache?: number,
  ) => {
    incr(
      key: string,
      callback: (error: Error | null, counted?: { current: number; ttl: number }) => void,
      timeWindowMs: number,
      max: number,
    ): void;
  };
  export default LocalStore;
}
