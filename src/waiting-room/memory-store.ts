/**
 * In-memory WaitingRoomStore: the embedded default and the unit-test store. It mirrors the Lua
 * scripts step by step (same record fields, same freeze rule, same reason codes); the shared
 * contract suite keeps the two honest. Single-threaded JS gives the atomicity Lua gives in Redis:
 * no operation awaits between reading and writing.
 */
import { err, ok } from '../platform/result.ts';
import { restoredMeta } from './checkpoint.ts';
import { deviceTag, personField, type QueueRef } from './keys.ts';
import type { AdmissionSettings } from './admission-settings.ts';
import {
  estimatedPreRoomSeq,
  type Instant,
  type JoinRequest,
  type JoinResult,
  type PersonRecord,
  type PersonState,
  type WaitingRoomStore,
} from './waiting-room.store.ts';

type StateCode = 'W' | 'A' | 'D' | 'X';
const STATE_NAME: Record<StateCode, PersonState> = { W: 'waiting', A: 'admitted', D: 'completed', X: 'expired' };

interface Rec {
  /** 'P' while unresolved in the pre-room. */
  seq: number | 'P';
  dev: string;
  st: StateCode;
  lock: number;
  pre: number | null;
}

interface Partition {
  cursor: number;
  n: number;
  frozen: number | null;
  claimed: number;
  graceFloor: number;
  /** Set by a restore that lost an unfrozen pre-room: freeze at ≥ preFloor, place by quantile. */
  preLost: boolean;
  preFloor: number;
  people: Map<string, Rec>;
  pre: Map<string, number>;
  /** Rank (0-based) of each pre-room member, computed once at freeze, like ZRANK on a frozen ZSET. */
  preRank: Map<string, number> | null;
  active: Map<string, number>;
  reached: { cursor: number; atMs: number }[];
  /** Each identity's joins in its current window, like join.lua's KEYS[5] (ended windows swept now and then). */
  joinCounts: Map<string, JoinCount>;
  /** Size of joinCounts at which ended windows are next swept (Redis expires them by itself). */
  sweepJoinCountsAt: number;
}

interface JoinCount {
  count: number;
  endsMs: number;
}

const MIN_JOIN_COUNT_SWEEP = 1_024;

/** Counts one join of `field` in its window, as join.lua does; the window's end when over the limit. */
function overJoinLimit(q: Partition, field: string, limit: JoinRequest['joinLimit'], nowMs: number): number | null {
  if (!limit || limit.maxPerWindow <= 0) return null;
  if (q.joinCounts.size >= q.sweepJoinCountsAt) {
    for (const [f, c] of q.joinCounts) if (c.endsMs <= nowMs) q.joinCounts.delete(f);
    q.sweepJoinCountsAt = Math.max(MIN_JOIN_COUNT_SWEEP, 2 * q.joinCounts.size);
  }
  let c = q.joinCounts.get(field);
  if (!c || c.endsMs <= nowMs) {
    c = { count: 0, endsMs: nowMs + limit.windowMs };
    q.joinCounts.set(field, c);
  }
  c.count += 1;
  return c.count > limit.maxPerWindow ? c.endsMs : null;
}

export interface MemoryWaitingRoomStore extends WaitingRoomStore {
  /** Drop every partition, as a Redis restart without persistence does (tests of survival). */
  simulateLoss(): void;
}

/** The pre-room's size: after a restore that lost the pre-room set, at least the checkpointed one. */
function preRoomSize(q: Partition): number {
  return Math.max(q.pre.size, q.preFloor);
}

function freezeIfOpen(q: Partition, at: Instant): number | null {
  if (q.frozen !== null) return q.frozen;
  if (at.nowMs < at.opensAtMs) return null;
  q.frozen = preRoomSize(q);
  // ZSET order: by score, ties by member bytes.
  const order = [...q.pre.entries()].sort(byScoreThenMember);
  q.preRank = new Map(order.map(([field], i) => [field, i]));
  return q.frozen;
}

function resolveSeq(q: Partition, field: string, rec: Rec, frozen: number | null): number | null {
  if (rec.seq !== 'P') return rec.seq;
  if (frozen === null) return null;
  rec.seq = q.preLost ? estimatedPreRoomSeq(rec.pre ?? 0, frozen) : (q.preRank?.get(field) ?? 0) + 1;
  return rec.seq;
}

function liveAdmission(q: Partition, field: string, nowMs: number): number | null {
  const exp = q.active.get(field);
  return exp !== undefined && exp > nowMs ? exp : null;
}

function expire(q: Partition, field: string, rec: Rec): void {
  rec.st = 'X';
  q.active.delete(field);
}

function newPlace(
  q: Partition,
  field: string,
  dev: string,
  preScore: number,
  frozen: number | null,
  lock: number,
): Rec {
  if (frozen === null) {
    q.pre.set(field, preScore);
    const rec: Rec = { seq: 'P', dev, st: 'W', lock, pre: preScore };
    q.people.set(field, rec);
    return rec;
  }
  q.n += 1;
  const rec: Rec = { seq: frozen + q.n, dev, st: 'W', lock, pre: null };
  q.people.set(field, rec);
  return rec;
}

/** A ZSET's order: ascending score, equal scores by member (byte order; fields are ASCII). */
const byScoreThenMember = (a: [string, number], b: [string, number]) =>
  a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

export function createMemoryStore(): MemoryWaitingRoomStore {
  let partitions = new Map<string, Partition>();
  const admissionSettings = new Map<string, AdmissionSettings>();
  const id = (ref: QueueRef) => `${ref.campaignId}\u0000${ref.partition}`;
  const get = (ref: QueueRef) => partitions.get(id(ref));
  const blank = (): Partition => ({
    cursor: 0,
    n: 0,
    frozen: null,
    claimed: 0,
    graceFloor: 0,
    preLost: false,
    preFloor: 0,
    people: new Map(),
    pre: new Map(),
    preRank: null,
    active: new Map(),
    reached: [],
    joinCounts: new Map(),
    sweepJoinCountsAt: MIN_JOIN_COUNT_SWEEP,
  });

  /** One join in a partition whose state exists: join.lua's join_one, step by step. */
  const joinOne = (q: Partition, req: JoinRequest, at: Instant): JoinResult => {
    const field = personField(req.identityHash);
    const windowEndsMs = overJoinLimit(q, field, req.joinLimit, at.nowMs);
    if (windowEndsMs !== null) return err('too-many-joins', { windowEndsMs });
    const frozen = freezeIfOpen(q, at);
    const dev = deviceTag(req.deviceId);
    const rec = q.people.get(field);
    if (rec) {
      if (rec.st === 'A' && liveAdmission(q, field, at.nowMs) === null) expire(q, field, rec);
      if (rec.dev !== dev && (rec.st === 'W' || rec.st === 'A' || rec.lock > at.nowMs)) {
        rec.lock = Math.max(rec.lock, at.nowMs + req.lockoutMs);
        return err('other-device', { lockedUntilMs: rec.lock });
      }
      if (rec.st === 'D') return err('completed');
      if (rec.st === 'W') return ok({ kind: 'rejoined', seq: resolveSeq(q, field, rec, frozen), preScore: rec.pre });
      if (rec.st === 'A') {
        const seq = resolveSeq(q, field, rec, frozen) ?? 0;
        return ok({ kind: 'admitted', seq, preScore: rec.pre, admissionExpiresAtMs: q.active.get(field) ?? 0 });
      }
    }
    const lock = rec && rec.lock > at.nowMs ? rec.lock : 0;
    const placed = newPlace(q, field, dev, req.preScore, frozen, lock);
    return ok({ kind: 'new', seq: placed.seq === 'P' ? null : placed.seq, preScore: placed.pre });
  };

  return {
    simulateLoss() {
      partitions = new Map();
    },

    async openQueue(ref) {
      if (get(ref)) return 'exists';
      partitions.set(id(ref), blank());
      return 'created';
    },

    async join(ref, req, at) {
      const q = get(ref);
      if (!q) return err('missing-state');
      return joinOne(q, req, at);
    },

    async joinMany(ref, reqs, at) {
      const q = get(ref);
      if (!q) return err('missing-state');
      return ok(reqs.map((req) => joinOne(q, req, at)));
    },

    async positionOf(ref, identityHash, at) {
      const q = get(ref);
      if (!q) return err('missing-state');
      const frozen = freezeIfOpen(q, at);
      const field = personField(identityHash);
      const rec = q.people.get(field);
      if (!rec) return err('unknown');
      const seq = resolveSeq(q, field, rec, frozen);
      return ok({ seq, preScore: rec.pre, state: STATE_NAME[rec.st], cursor: q.cursor, tail: (frozen ?? 0) + q.n });
    },

    async advanceCursor(ref, req, at) {
      const q = get(ref);
      if (!q) return err('missing-state');
      const frozen = freezeIfOpen(q, at);
      if (frozen === null) return err('not-open');
      const tail = frozen + q.n;
      const next = Math.min(q.cursor + Math.max(0, Math.floor(req.count)), tail);
      const advanced = next - q.cursor;
      if (advanced > 0) {
        q.cursor = next;
        q.reached.push({ cursor: next, atMs: at.nowMs });
      }
      // Forget advances older than the grace period, never the newest (it carries the last time).
      while (q.reached.length > 1 && q.reached[0]!.atMs + req.graceMs < at.nowMs) {
        q.graceFloor = q.reached.shift()!.cursor;
      }
      return ok({ advanced, cursor: q.cursor, tail });
    },

    async claimAdmission(ref, req, at) {
      const q = get(ref);
      if (!q) return err('missing-state');
      const frozen = freezeIfOpen(q, at);
      if (frozen === null) return err('not-open');
      const field = personField(req.identityHash);
      const rec = q.people.get(field);
      if (!rec) return err('unknown');
      if (rec.dev !== deviceTag(req.deviceId)) return err('other-device', { lockedUntilMs: rec.lock });
      if (rec.st === 'D') return err('completed');
      if (rec.st === 'X') return err('expired');
      const seq = resolveSeq(q, field, rec, frozen) ?? 0;
      if (rec.st === 'A') {
        const exp = liveAdmission(q, field, at.nowMs);
        if (exp === null) {
          expire(q, field, rec);
          return err('expired');
        }
        return ok({ seq, preScore: rec.pre, admissionExpiresAtMs: exp, isFirstClaim: false });
      }
      if (seq > q.cursor) return err('not-reached', { seq, cursor: q.cursor });
      const reachedAt = q.reached.find((r) => r.cursor >= seq);
      const isMessagedInGrace = req.graceFromMs !== undefined && req.graceFromMs + req.graceMs >= at.nowMs;
      if (!isMessagedInGrace && (seq <= q.graceFloor || !reachedAt || reachedAt.atMs + req.graceMs < at.nowMs)) {
        expire(q, field, rec);
        return err('expired');
      }
      rec.st = 'A';
      const exp = at.nowMs + req.admissionTtlMs;
      q.active.set(field, exp);
      q.claimed += 1;
      return ok({ seq, preScore: rec.pre, admissionExpiresAtMs: exp, isFirstClaim: true });
    },

    async completeAdmission(ref, identityHash) {
      const q = get(ref);
      if (!q) return err('missing-state');
      const field = personField(identityHash);
      const rec = q.people.get(field);
      if (!rec) return err('unknown');
      if (rec.st === 'W') return err('not-admitted');
      rec.st = 'D';
      q.active.delete(field);
      return ok(undefined);
    },

    async reopenAfterCancel(ref, identityHash) {
      const q = get(ref);
      if (!q) return err('missing-state');
      const rec = q.people.get(personField(identityHash));
      if (!rec) return err('unknown');
      if (rec.st !== 'D') return err('not-completed');
      rec.st = 'X';
      return ok(undefined);
    },

    async releasePlace(ref, req, at) {
      const q = get(ref);
      if (!q) return err('missing-state');
      const frozen = freezeIfOpen(q, at);
      const field = personField(req.identityHash);
      const rec = q.people.get(field);
      if (!rec) return err('unknown');
      if (rec.dev !== deviceTag(req.deviceId)) return err('other-device', { lockedUntilMs: rec.lock });
      if (rec.st === 'W' || rec.st === 'A') {
        // Before the freeze a pre-room member can leave the set; after it, ranks must not move.
        if (rec.seq === 'P' && frozen === null) q.pre.delete(field);
        expire(q, field, rec);
      }
      return ok(undefined);
    },

    async expireAdmissions(ref, req, at) {
      const q = get(ref);
      if (!q) return err('missing-state');
      const due = [...q.active.entries()]
        .filter(([, exp]) => exp <= at.nowMs)
        .sort((a, b) => a[1] - b[1])
        .slice(0, req.limit);
      for (const [field] of due) {
        const rec = q.people.get(field);
        if (rec && rec.st === 'A') rec.st = 'X';
        q.active.delete(field);
      }
      return ok(due.length);
    },

    async stats(ref, at) {
      const q = get(ref);
      if (!q) return err('missing-state');
      const frozen = freezeIfOpen(q, at);
      const tail = (frozen ?? 0) + q.n;
      let activeSessions = 0;
      for (const exp of q.active.values()) if (exp > at.nowMs) activeSessions += 1;
      return ok({
        cursor: q.cursor,
        tail,
        frozen,
        preRoom: preRoomSize(q),
        waiting: tail - q.cursor + (frozen === null ? preRoomSize(q) : 0),
        activeSessions,
        claimedTotal: q.claimed,
        graceFloor: q.graceFloor,
      });
    },

    async restoreFrom(ref, checkpoint, at) {
      if (get(ref)) return ok('present');
      const m = restoredMeta(checkpoint, at);
      const q = blank();
      Object.assign(q, {
        cursor: m.cursor,
        n: m.n,
        frozen: m.frozen,
        claimed: m.claimedTotal,
        graceFloor: m.graceFloor,
        preLost: m.preFloor > 0,
        preFloor: m.preFloor,
      });
      if (m.frozen !== null) q.preRank = new Map();
      if (m.cursor > 0) q.reached.push({ cursor: m.cursor, atMs: at.nowMs });
      partitions.set(id(ref), q);
      return ok('restored');
    },

    async reinsert(ref, req, at) {
      const q = get(ref);
      if (!q) return err('missing-state');
      const frozen = freezeIfOpen(q, at);
      const field = personField(req.identityHash);
      const existing = q.people.get(field);
      if (existing) {
        return ok({ kind: 'present', seq: resolveSeq(q, field, existing, frozen), preScore: existing.pre });
      }
      const dev = deviceTag(req.deviceId);
      let seq: number | 'P';
      if (req.seq !== null && req.seq >= 1 && frozen !== null) seq = req.seq;
      else if (req.preScore !== null && frozen === null) {
        seq = 'P';
        q.pre.set(field, req.preScore);
      } else if (req.preScore !== null && frozen !== null) seq = estimatedPreRoomSeq(req.preScore, frozen);
      else return err('bad-place');
      q.people.set(field, { seq, dev, st: 'W', lock: 0, pre: req.preScore });
      if (seq !== 'P' && seq > (frozen ?? 0) + q.n) q.n = seq - (frozen ?? 0);
      return ok({ kind: 'reinserted', seq: seq === 'P' ? null : seq, preScore: req.preScore });
    },

    async personState(ref, identityHash) {
      const rec = get(ref)?.people.get(personField(identityHash));
      return rec ? STATE_NAME[rec.st] : null;
    },

    async personRecord(ref, identityHash) {
      const field = personField(identityHash);
      const q = get(ref);
      const rec = q?.people.get(field);
      if (!q || !rec) return null;
      return {
        seq: rec.seq === 'P' ? null : rec.seq,
        preScore: rec.pre,
        deviceTag: rec.dev,
        state: STATE_NAME[rec.st],
        lockedUntilMs: rec.lock > 0 ? rec.lock : null,
        admissionExpiresAtMs: q.active.get(field) ?? null,
      } satisfies PersonRecord;
    },

    async preRoomMembers(ref, page) {
      const q = get(ref);
      if (!q) return [];
      return [...q.pre.entries()]
        .sort(byScoreThenMember)
        .slice(page.offset, page.offset + page.limit)
        .map(([field]) => field);
    },

    async readAdmissionSettings(campaignId) {
      return admissionSettings.get(campaignId) ?? null;
    },

    async writeAdmissionSettings(campaignId, settings) {
      admissionSettings.set(campaignId, structuredClone(settings));
    },

    async close() {},
  };
}
