/**
 * WaitingRoomStore on Redis (or Redis Cluster). Every operation that reads and writes is ONE Lua
 * script from ./scripts, registered with ioredis `defineCommand`, which sends EVALSHA and falls back
 * to EVAL on NOSCRIPT (so a restarted Redis reloads scripts by itself). Each script touches the keys
 * of one partition only, all sharing one hash tag (keys.ts), so it is single-slot on a cluster.
 * Script replies are arrays with a reason code first; this file only translates them.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { err, ok } from '../platform/result.ts';
import { restoredMeta } from './checkpoint.ts';
import { admissionSettingsKey, deviceTag, joinCountKey, partitionKeys, personField, type QueueRef } from './keys.ts';
import { parseAdmissionSettings } from './admission-settings.ts';
import type { Instant, JoinResult, PersonRecord, PersonState, WaitingRoomStore } from './waiting-room.store.ts';

const SCRIPTS = [
  'open-queue',
  'join',
  'join-many',
  'position',
  'advance',
  'claim',
  'complete',
  'release',
  'expire',
  'stats',
  'restore',
  'reinsert',
  'reopen',
] as const;
type ScriptName = (typeof SCRIPTS)[number];
type Reply = (string | number)[];
type Client = Redis | Cluster;

const STATE_NAME: Record<string, PersonState> = { W: 'waiting', A: 'admitted', D: 'completed', X: 'expired' };

function loadScript(name: string): string {
  const read = (file: string) => readFileSync(new URL(`./scripts/${file}.lua`, import.meta.url), 'utf8');
  return read(name).replace('--#include lib', read('lib'));
}

const commandName = (name: ScriptName) => `wr_${name.replaceAll('-', '_')}`;
/** -1 stands for "none" in script replies. */
const orNull = (v: string | number | undefined): number | null =>
  v === undefined || Number(v) === -1 ? null : Number(v);
const num = (v: string | number | undefined): number => Number(v ?? 0);

export interface RedisStoreOptions {
  /** Prefix inside every hash tag; tests use a unique one each. */
  readonly keyPrefix: string;
  /** A URL to connect to (the store owns and closes this connection) … */
  readonly url?: string;
  readonly redisOptions?: RedisOptions;
  /** … or a client (e.g. an ioredis Cluster) that the store will also close. */
  readonly client?: Client;
  /**
   * Connection errors while ioredis reconnects (it retries by itself). Commands that fail are thrown
   * to the caller anyway, so the default only stops ioredis printing "Unhandled error event".
   */
  readonly onConnectionError?: (error: Error) => void;
}

export function createRedisStore(options: RedisStoreOptions): WaitingRoomStore {
  const client: Client =
    options.client ?? new Redis(options.url ?? 'redis://127.0.0.1:6379', options.redisOptions ?? {});
  client.on('error', options.onConnectionError ?? (() => {}));
  for (const name of SCRIPTS) {
    if (!VARIADIC_KEY_SCRIPTS.has(name))
      client.defineCommand(commandName(name), { lua: loadScript(name), numberOfKeys: SCRIPT_KEY_COUNT[name] });
  }
  const joinMany = variadicScript(client, 'join-many');
  const run = async (name: ScriptName, keys: string[], args: (string | number)[]): Promise<Reply> => {
    const fn = (client as unknown as Record<string, (...a: (string | number)[]) => Promise<Reply>>)[commandName(name)]!;
    return fn.call(client, ...keys, ...args);
  };
  const k = (ref: QueueRef) => partitionKeys(options.keyPrefix, ref);
  const at2 = (at: Instant) => [at.nowMs, at.opensAtMs];

  return {
    async openQueue(ref) {
      const [code] = await run('open-queue', [k(ref).meta], []);
      return code === 'created' ? 'created' : 'exists';
    },

    async join(ref, req, at) {
      const q = k(ref);
      const field = personField(req.identityHash);
      const r = await run(
        'join',
        [q.meta, q.people, q.pre, q.active, joinCountKey(options.keyPrefix, ref, field)],
        [
          field,
          deviceTag(req.deviceId),
          ...at2(at),
          String(req.preScore),
          req.lockoutMs,
          req.joinLimit?.maxPerWindow ?? 0,
          req.joinLimit?.windowMs ?? 0,
        ],
      );
      return r[0] === 'missing-state' ? err('missing-state') : joinResultOf(r, 'join.lua');
    },

    async joinMany(ref, reqs, at) {
      if (reqs.length === 0) return ok([]);
      const q = k(ref);
      const keys = [q.meta, q.people, q.pre, q.active];
      const args: (string | number)[] = [at.nowMs, at.opensAtMs];
      for (const req of reqs) {
        const field = personField(req.identityHash);
        keys.push(joinCountKey(options.keyPrefix, ref, field));
        args.push(
          field,
          deviceTag(req.deviceId),
          String(req.preScore),
          req.lockoutMs,
          req.joinLimit?.maxPerWindow ?? 0,
          req.joinLimit?.windowMs ?? 0,
        );
      }
      const r = (await joinMany(keys, args)) as [string, ...Reply[]];
      if (r[0] === 'missing-state') return err('missing-state');
      if (r[0] !== 'ok' || r.length !== reqs.length + 1) throw new Error(`join-many.lua replied ${JSON.stringify(r)}`);
      const out: JoinResult[] = [];
      for (let i = 1; i < r.length; i += 1) out.push(joinResultOf(r[i] as Reply, 'join-many.lua'));
      return ok(out);
    },

    async positionOf(ref, identityHash, at) {
      const q = k(ref);
      const r = await run('position', [q.meta, q.people, q.pre], [personField(identityHash), ...at2(at)]);
      if (r[0] === 'ok') {
        return ok({
          seq: orNull(r[1]),
          preScore: orNull(r[2]),
          state: STATE_NAME[String(r[3])]!,
          cursor: num(r[4]),
          tail: num(r[5]),
        });
      }
      if (r[0] === 'unknown' || r[0] === 'missing-state') return err(r[0]);
      throw new Error(`position.lua replied ${JSON.stringify(r)}`);
    },

    async advanceCursor(ref, req, at) {
      const q = k(ref);
      const r = await run('advance', [q.meta, q.pre, q.reached], [req.count, ...at2(at), req.graceMs]);
      if (r[0] === 'ok') return ok({ advanced: num(r[1]), cursor: num(r[2]), tail: num(r[3]) });
      if (r[0] === 'not-open' || r[0] === 'missing-state') return err(r[0]);
      throw new Error(`advance.lua replied ${JSON.stringify(r)}`);
    },

    async claimAdmission(ref, req, at) {
      const q = k(ref);
      const r = await run(
        'claim',
        [q.meta, q.people, q.pre, q.active, q.reached],
        [
          personField(req.identityHash),
          deviceTag(req.deviceId),
          ...at2(at),
          req.admissionTtlMs,
          req.graceMs,
          req.graceFromMs ?? 0,
        ],
      );
      switch (r[0]) {
        case 'admitted':
          return ok({
            seq: num(r[1]),
            preScore: orNull(r[2]),
            admissionExpiresAtMs: num(r[3]),
            isFirstClaim: num(r[4]) === 1,
          });
        case 'not-reached':
          return err('not-reached', { seq: num(r[1]), cursor: num(r[2]) });
        case 'other-device':
          return err('other-device', { lockedUntilMs: num(r[1]) });
        case 'not-open':
        case 'unknown':
        case 'completed':
        case 'expired':
        case 'missing-state':
          return err(r[0]);
      }
      throw new Error(`claim.lua replied ${JSON.stringify(r)}`);
    },

    async completeAdmission(ref, identityHash, at) {
      const q = k(ref);
      const r = await run('complete', [q.meta, q.people, q.active], [personField(identityHash), at.nowMs]);
      if (r[0] === 'ok') return ok(undefined);
      if (r[0] === 'not-admitted' || r[0] === 'unknown' || r[0] === 'missing-state') return err(r[0]);
      throw new Error(`complete.lua replied ${JSON.stringify(r)}`);
    },

    async reopenAfterCancel(ref, identityHash, at) {
      const q = k(ref);
      const r = await run('reopen', [q.meta, q.people], [personField(identityHash), at.nowMs]);
      if (r[0] === 'ok') return ok(undefined);
      if (r[0] === 'not-completed' || r[0] === 'unknown' || r[0] === 'missing-state') return err(r[0]);
      throw new Error(`reopen.lua replied ${JSON.stringify(r)}`);
    },

    async releasePlace(ref, req, at) {
      const q = k(ref);
      const r = await run(
        'release',
        [q.meta, q.people, q.pre, q.active],
        [personField(req.identityHash), deviceTag(req.deviceId), ...at2(at)],
      );
      if (r[0] === 'ok') return ok(undefined);
      if (r[0] === 'other-device') return err('other-device', { lockedUntilMs: num(r[1]) });
      if (r[0] === 'unknown' || r[0] === 'missing-state') return err(r[0]);
      throw new Error(`release.lua replied ${JSON.stringify(r)}`);
    },

    async expireAdmissions(ref, req, at) {
      const q = k(ref);
      const r = await run('expire', [q.meta, q.people, q.active], [at.nowMs, req.limit]);
      if (r[0] === 'ok') return ok(num(r[1]));
      if (r[0] === 'missing-state') return err('missing-state');
      throw new Error(`expire.lua replied ${JSON.stringify(r)}`);
    },

    async stats(ref, at) {
      const q = k(ref);
      const r = await run('stats', [q.meta, q.pre, q.active], at2(at));
      if (r[0] === 'missing-state') return err('missing-state');
      if (r[0] !== 'ok') throw new Error(`stats.lua replied ${JSON.stringify(r)}`);
      const [cursor, tail, frozen, preRoom] = [num(r[1]), num(r[2]), orNull(r[3]), num(r[4])];
      return ok({
        cursor,
        tail,
        frozen,
        preRoom,
        waiting: tail - cursor + (frozen === null ? preRoom : 0),
        activeSessions: num(r[5]),
        claimedTotal: num(r[6]),
        graceFloor: num(r[7]),
      });
    },

    async restoreFrom(ref, checkpoint, at) {
      const q = k(ref);
      const m = restoredMeta(checkpoint, at);
      const r = await run(
        'restore',
        [q.meta, q.reached],
        [m.cursor, m.n, m.frozen ?? -1, m.claimedTotal, m.graceFloor, at.nowMs, m.preFloor],
      );
      return ok(r[0] === 'restored' ? 'restored' : 'present');
    },

    async reinsert(ref, req, at) {
      const q = k(ref);
      const r = await run(
        'reinsert',
        [q.meta, q.people, q.pre],
        [
          personField(req.identityHash),
          deviceTag(req.deviceId),
          req.seq ?? -1,
          req.preScore === null ? '-1' : String(req.preScore),
          ...at2(at),
        ],
      );
      if (r[0] === 'present' || r[0] === 'reinserted')
        return ok({ kind: r[0], seq: orNull(r[1]), preScore: orNull(r[2]) });
      if (r[0] === 'bad-place' || r[0] === 'missing-state') return err(r[0]);
      throw new Error(`reinsert.lua replied ${JSON.stringify(r)}`);
    },

    async personRecord(ref, identityHash) {
      const q = k(ref);
      const field = personField(identityHash);
      const [value, exp] = await Promise.all([client.hget(q.people, field), client.zscore(q.active, field)]);
      return value === null ? null : parseRecord(value, exp);
    },

    async personState(ref, identityHash) {
      const value = await client.hget(k(ref).people, personField(identityHash));
      return value === null ? null : parseRecord(value, null).state;
    },

    async preRoomMembers(ref, page) {
      if (page.limit <= 0) return [];
      return client.zrange(k(ref).pre, page.offset, page.offset + page.limit - 1);
    },

    async readAdmissionSettings(campaignId) {
      const raw = await client.get(admissionSettingsKey(options.keyPrefix, campaignId));
      return raw === null ? null : parseAdmissionSettings(raw);
    },

    async writeAdmissionSettings(campaignId, settings) {
      await client.set(admissionSettingsKey(options.keyPrefix, campaignId), JSON.stringify(settings));
    },

    async close() {
      await client.quit();
    },
  };
}

/**
 * Number of KEYS each script declares in its header (a unit test checks the headers agree); for a
 * script in VARIADIC_KEY_SCRIPTS, its fixed keys (more follow, one per entry).
 */
export const SCRIPT_KEY_COUNT: Record<ScriptName, number> = {
  'open-queue': 1,
  join: 5,
  'join-many': 4,
  position: 3,
  advance: 3,
  claim: 5,
  complete: 3,
  release: 4,
  expire: 3,
  stats: 3,
  restore: 2,
  reinsert: 3,
  reopen: 2,
};

/** Scripts whose key count varies per call (sent as EVALSHA by variadicScript, not defineCommand). */
export const VARIADIC_KEY_SCRIPTS: ReadonlySet<ScriptName> = new Set(['join-many']);

/**
 * A script with a variable number of keys, called as a plain EVALSHA (EVAL when Redis answers
 * NOSCRIPT, which also loads it). Not through defineCommand: ioredis's auto-pipelining groups a
 * defined command by its first string argument, which for a variable key count is the count, not a
 * key — on a cluster, two partitions' batches on different masters could share one pipeline and be
 * refused together. EVALSHA's keys are known to ioredis, so it groups by the first key's slot.
 */
function variadicScript(client: Client, name: ScriptName) {
  const lua = loadScript(name);
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (keys: string[], args: (string | number)[]): Promise<unknown> => {
    try {
      return await client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return client.eval(lua, keys.length, ...keys, ...args);
    }
  };
}

/** One person's join reply (join.lua's, or one entry of join-many.lua's), 'missing-state' aside. */
function joinResultOf(r: Reply, script: string): JoinResult {
  switch (r[0]) {
    case 'new':
    case 'rejoined':
      return ok({ kind: r[0], seq: orNull(r[1]), preScore: orNull(r[2]) });
    case 'admitted':
      return ok({ kind: 'admitted', seq: num(r[1]), preScore: orNull(r[2]), admissionExpiresAtMs: num(r[3]) });
    case 'other-device':
      return err('other-device', { lockedUntilMs: num(r[1]) });
    case 'completed':
      return err('completed');
    case 'too-many-joins':
      return err('too-many-joins', { windowEndsMs: num(r[1]) });
  }
  throw new Error(`${script} replied ${JSON.stringify(r)}`);
}

function parseRecord(value: string, admissionExpiry: string | null): PersonRecord {
  const [seq, dev, st, lock, pre] = value.split(':');
  return {
    seq: seq === 'P' || seq === undefined ? null : Number(seq),
    preScore: pre === undefined || pre === '' ? null : Number(pre),
    deviceTag: dev ?? '',
    state: STATE_NAME[st ?? ''] ?? 'expired',
    lockedUntilMs: lock ? Number(lock) : null,
    admissionExpiresAtMs: admissionExpiry === null ? null : Number(admissionExpiry),
  };
}

export { SCRIPTS as WAITING_ROOM_SCRIPTS, loadScript as loadWaitingRoomScript };
