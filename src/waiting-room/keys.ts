/**
 * Every Redis key of the waiting room, in one place.
 *
 * A campaign's queue is split into P partitions. All keys of one partition share one hash tag
 * `{wr:<prefix>:<campaign>:<p>}`, so a Redis Cluster puts them on one shard and each Lua script
 * (which only ever touches one partition) stays single-slot. Different partitions land on
 * different slots, which is how one campaign spreads over a cluster.
 *
 * Field compaction keeps a waiting person near 100 bytes of Redis memory: the identity hash
 * (43 base64url chars upstream) becomes a 22-char field (132 bits, collision-free in practice for
 * 10^8 people) and the device id an 11-char tag (66 bits: only ever compared for equality within
 * one identity, so collisions would need two devices of the same person to collide).
 */
import { hash } from 'node:crypto';

/** A key prefix and campaign id are restricted so that they can never break the hash tag. */
const SAFE_PART = /^[A-Za-z0-9_.-]{1,64}$/;

export interface QueueRef {
  readonly campaignId: string;
  /** 0 ≤ partition < the campaign's partition count. */
  readonly partition: number;
}

export interface PartitionKeys {
  /** HASH: init, cursor, n (joins after opening), frozen (pre-room size at opening), claimed, graceFloor, restoredAtMs. */
  readonly meta: string;
  /** HASH: personField → "seq:deviceTag:state[:lockUntilMs]", seq "P" while unresolved in the pre-room. */
  readonly people: string;
  /** ZSET: personField scored by a server-drawn uniform random integer in [0, 2^48). */
  readonly pre: string;
  /** ZSET: personField scored by admission expiry (epoch ms). */
  readonly active: string;
  /** ZSET: one entry per cursor advance, scored by the cursor after it, member "cursor:atMs". */
  readonly reached: string;
}

export function assertSafeKeyPart(what: string, value: string): void {
  if (!SAFE_PART.test(value)) throw new Error(`${what} must match ${SAFE_PART}: ${JSON.stringify(value)}`);
}

/** The hash tag shared by every key of one partition. */
export function partitionTag(prefix: string, ref: QueueRef): string {
  assertSafeKeyPart('key prefix', prefix);
  assertSafeKeyPart('campaign id', ref.campaignId);
  if (!Number.isInteger(ref.partition) || ref.partition < 0) throw new Error(`bad partition ${ref.partition}`);
  return `{wr:${prefix}:${ref.campaignId}:${ref.partition}}`;
}

export function partitionKeys(prefix: string, ref: QueueRef): PartitionKeys {
  const tag = partitionTag(prefix, ref);
  return {
    meta: `${tag}:meta`,
    people: `${tag}:people`,
    pre: `${tag}:pre`,
    active: `${tag}:active`,
    reached: `${tag}:reached`,
  };
}

/**
 * STRING "count:windowEndsMs": one identity's joins in the current window of one campaign, in its
 * partition's hash tag so join.lua counts it in the same single-slot script. Expires with its window.
 */
export function joinCountKey(prefix: string, ref: QueueRef, field: string): string {
  return `${partitionTag(prefix, ref)}:joins:${field}`;
}

/** A SCAN pattern matching every key under a prefix (tests delete their keys with it). */
export function prefixPattern(prefix: string): string {
  assertSafeKeyPart('key prefix', prefix);
  return `{wr:${prefix}:*`;
}

/** Keys outside any partition (leader lease, rate-limit counters): no hash tag, so they spread. */
export function untaggedPrefixPattern(prefix: string): string {
  assertSafeKeyPart('key prefix', prefix);
  return `wr:${prefix}:*`;
}

/**
 * Namespace of the per-address rate-limit counters of join and leave (rate-limits.ts appends the
 * limit's name and the address, and for a batched limit `:<window number>`). Untagged on purpose:
 * they spread over a cluster's shards; each expires with its one-minute window. (The per-identity
 * join counter is joinCountKey.)
 */
export function rateLimitNamespace(prefix: string): string {
  assertSafeKeyPart('key prefix', prefix);
  return `wr:${prefix}:rl:`;
}

// crypto.hash (one call, no Hash object) for the two digests every join computes: 0.3 µs each
// instead of 0.9 µs through createHash on this machine (Node 20.20); the same bytes.

/** The hash field for one identity: 22 base64url chars of SHA-256 (no ':' ever appears). */
export function personField(identityHash: string): string {
  return hash('sha256', identityHash, 'base64url').slice(0, 22);
}

/** The stored tag of a device id: 11 base64url chars of SHA-256 (no ':' ever appears). */
export function deviceTag(deviceId: string): string {
  return hash('sha256', deviceId, 'base64url').slice(0, 11);
}

/** STRING: the admission leader's lease (one ticking process per deployment); not partitioned. */
export function admissionLeaderKey(prefix: string): string {
  assertSafeKeyPart('key prefix', prefix);
  return `wr:${prefix}:admission-leader`;
}

/**
 * STRING (JSON): a campaign's admission settings (admission-settings.ts); one per campaign, not
 * partitioned, so untagged (it spreads over a cluster's shards like the leader lease).
 */
export function admissionSettingsKey(prefix: string, campaignId: string): string {
  assertSafeKeyPart('key prefix', prefix);
  assertSafeKeyPart('campaign id', campaignId);
  return `wr:${prefix}:admission-settings:${campaignId}`;
}

/**
 * STRING (JSON): a campaign's seat count as last read by one process, for every process
 * (seat-count.redis-store.ts); and beside it STRING: the lease of the process reading it again.
 * One per campaign, not partitioned, so untagged.
 */
export function seatCountKeys(prefix: string, campaignId: string): { count: string; recount: string } {
  assertSafeKeyPart('key prefix', prefix);
  assertSafeKeyPart('campaign id', campaignId);
  return { count: `wr:${prefix}:seats:${campaignId}`, recount: `wr:${prefix}:seats-recount:${campaignId}` };
}

/** Keys of the turn notices of one partition (turn-notice.redis-store.ts); same hash tag as the partition. */
export interface TurnNoticeKeys {
  /** ZSET: identity hash scored by the seq of its place; people waiting for their message. */
  readonly pending: string;
  /** HASH: identity hash → epoch ms the message went out; expires as a whole after its last write. */
  readonly sent: string;
}

export function turnNoticeKeys(prefix: string, ref: QueueRef): TurnNoticeKeys {
  const tag = partitionTag(prefix, ref);
  return { pending: `${tag}:notify`, sent: `${tag}:notified` };
}
