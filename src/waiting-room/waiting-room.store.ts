/**
 * The waiting room's storage port, in domain verbs. Two adapters implement it (memory-store.ts,
 * redis-store.ts) and one contract suite (test/contracts/waiting-room-store.contract.ts) runs against both.
 *
 * Model of one partition of a campaign's queue:
 * - Everyone who joins after the opening instant gets a sequence number `seq = frozen + n`, where
 *   `n` counts post-opening joins and `frozen` is the pre-room size at opening. `tail` is the last
 *   seq handed out. `cursor` is the last seq admitted: people with seq ≤ cursor have been reached.
 *   Position is O(1): ahead = seq − cursor − 1, behind = tail − seq.
 * - Before opening, joiners go to the pre-room, scored by a uniform random integer drawn by the
 *   server. The first operation at or after the opening instant freezes the pre-room atomically;
 *   pre-room people then hold seq 1..frozen by the rank of their score.
 * - A person is one small record: seq, device tag, state, optional lock-out and pre-room score.
 *
 * Every operation receives the server's time (`Instant`) as an argument; adapters never read a
 * clock, so a wrong clock cannot hide in them. Expected outcomes are typed results. The reason
 * 'missing-state' means the partition has no metadata: it was never opened, or Redis lost it; the
 * service then restores it from its checkpoint (see README.md) and retries.
 */
import type { Result } from '../platform/result.ts';
import type { QueueRef } from './keys.ts';
import type { AdmissionSettings } from './admission-settings.ts';

export type { QueueRef } from './keys.ts';

/** Server time for one operation. Both are epoch milliseconds. */
export interface Instant {
  readonly nowMs: number;
  /** The campaign's opening instant; the pre-room is frozen by the first operation at or after it. */
  readonly opensAtMs: number;
}

/** A partition's durable counters (written by the admission loop, read back after a Redis loss; see checkpoint.ts). */
export interface PartitionCheckpoint {
  readonly partition: number;
  readonly cursor: number;
  readonly tail: number;
  /** Pre-room size at opening, or null if the partition had not opened. */
  readonly frozen: number | null;
  /** Pre-room size when written (used as the frozen size if a loss straddles the opening). */
  readonly preRoom: number;
  readonly claimedTotal: number;
  readonly graceFloor: number;
  readonly savedAtMs: number;
}

/** 'waiting': holds a place; 'admitted': holds an admission; 'completed': booked; 'expired': lost the place. */
export type PersonState = 'waiting' | 'admitted' | 'completed' | 'expired';

/** What the store holds for one identity (inspection; tests assert on it). */
export interface PersonRecord {
  /** null while the person sits unresolved in a pre-room that has not been frozen or ranked yet. */
  readonly seq: number | null;
  /** The server-drawn pre-room score in [0, 2^48), or null for a place taken after opening. */
  readonly preScore: number | null;
  readonly deviceTag: string;
  readonly state: PersonState;
  /** Other devices are refused for this identity until this instant (epoch ms), or null. */
  readonly lockedUntilMs: number | null;
  /** Expiry of a held admission (epoch ms), or null. */
  readonly admissionExpiresAtMs: number | null;
}

/** A place in the queue. `seq` is null while in a pre-room that has not been frozen. */
export interface Place {
  readonly seq: number | null;
  readonly preScore: number | null;
}

export type JoinOutcome =
  | (Place & { readonly kind: 'new' | 'rejoined' })
  | (Place & { readonly kind: 'admitted'; readonly seq: number; readonly admissionExpiresAtMs: number });

export interface JoinRequest {
  readonly identityHash: string;
  readonly deviceId: string;
  /** Uniform random integer in [0, 2^48) drawn by the server (crypto.randomInt); used only before opening. */
  readonly preScore: number;
  /** How long other devices are refused after one is turned away (ms). */
  readonly lockoutMs: number;
  /**
   * At most `maxPerWindow` joins of this identity in this campaign per window of `windowMs`,
   * counted in the same atomic step as the join (every call that finds the partition's state counts,
   * whatever its outcome); a window starts at the first join after the last one ended. Absent: not
   * counted.
   */
  readonly joinLimit?: { readonly maxPerWindow: number; readonly windowMs: number };
}

/** One join's answer, as `join` gives it (a partition's missing state is the whole batch's answer in `joinMany`). */
export type JoinResult = Result<JoinOutcome, 'other-device' | 'completed' | 'too-many-joins'>;

export interface ClaimRequest {
  readonly identityHash: string;
  readonly deviceId: string;
  /** Lifetime of a new admission (ms). A re-claim returns the existing expiry, never extends it. */
  readonly admissionTtlMs: number;
  /** How long after the cursor reached a seq its holder may still claim (ms). */
  readonly graceMs: number;
  /**
   * When the holder was sent their "it is your turn" message (epoch ms), if they were: the place
   * may then also be claimed until graceFromMs + graceMs, however long ago the cursor passed it.
   */
  readonly graceFromMs?: number;
}

export interface Claim {
  readonly seq: number;
  readonly preScore: number | null;
  readonly admissionExpiresAtMs: number;
  /** false when this identity already held this admission (the same admission is returned). */
  readonly isFirstClaim: boolean;
}

export interface PositionView extends Place {
  readonly state: PersonState;
  readonly cursor: number;
  readonly tail: number;
}

export interface QueueStats {
  /** Last admitted seq. */
  readonly cursor: number;
  /** Last seq handed out (frozen + post-opening joins). */
  readonly tail: number;
  /** Pre-room size at opening, or null before opening. */
  readonly frozen: number | null;
  /**
   * People in the pre-room set (before opening: the waiting pre-room); after a restore that lost an
   * unfrozen pre-room, at least the checkpointed size (the size it will freeze at).
   */
  readonly preRoom: number;
  /** Places not yet reached: tail − cursor, plus the pre-room before opening. */
  readonly waiting: number;
  /** Admissions claimed and not expired, completed or released. */
  readonly activeSessions: number;
  /** Count of first claims ever (monotonic). */
  readonly claimedTotal: number;
  /** Every seq ≤ graceFloor was reached more than a grace period ago. */
  readonly graceFloor: number;
}

export interface AdvanceOutcome {
  /** Seqs newly reached by this call (≤ the count asked, ≤ tail − cursor). */
  readonly advanced: number;
  readonly cursor: number;
  readonly tail: number;
}

export interface ReinsertRequest extends Place {
  readonly identityHash: string;
  readonly deviceId: string;
}

export interface WaitingRoomStore {
  /** Create a partition's metadata if absent. Idempotent. Only for a queue with no checkpoint. */
  openQueue(ref: QueueRef): Promise<'created' | 'exists'>;

  /**
   * Take a place, or get back the place already held (same device: idempotent, never a new seq).
   * Another device is refused with 'other-device' while this identity holds a place or an admission,
   * or while it is locked out; each refusal (re)starts a lock-out of `lockoutMs` (detail: lockedUntilMs).
   * After 'expired' the holder device, or any device once the lock-out passed, joins at the back.
   * Over `req.joinLimit`: 'too-many-joins' (detail: windowEndsMs, epoch ms), nothing else changed.
   */
  join(
    ref: QueueRef,
    req: JoinRequest,
    at: Instant,
  ): Promise<Result<JoinOutcome, 'other-device' | 'completed' | 'too-many-joins' | 'missing-state'>>;

  /**
   * The joins of several identities in one partition, as one atomic step: entry i's result is what
   * `join(ref, reqs[i], at)` would answer after entries 0..i-1 (the same identity twice: one place,
   * then a re-join). 'missing-state' for the whole batch when the partition has no metadata (nothing
   * counted or changed). Every result is stored before any is returned, so a caller answering its
   * person after this resolves never answers with a place the store does not hold.
   */
  joinMany(
    ref: QueueRef,
    reqs: readonly JoinRequest[],
    at: Instant,
  ): Promise<Result<readonly JoinResult[], 'missing-state'>>;

  /** The person's place with the partition's cursor and tail; resolves a frozen pre-room rank to a seq. */
  positionOf(
    ref: QueueRef,
    identityHash: string,
    at: Instant,
  ): Promise<Result<PositionView, 'unknown' | 'missing-state'>>;

  /**
   * Admit the next `count` seqs of this partition: cursor = min(cursor + count, tail). Records when
   * the cursor passed them (for the grace period) and forgets advances older than `graceMs`.
   */
  advanceCursor(
    ref: QueueRef,
    req: { readonly count: number; readonly graceMs: number },
    at: Instant,
  ): Promise<Result<AdvanceOutcome, 'not-open' | 'missing-state'>>;

  /**
   * Turn a reached place into an admission, atomically. A re-claim returns the same admission.
   * 'not-reached' (detail: seq, cursor) if the cursor has not passed the seq; 'expired' if the
   * place was reached more than `graceMs` ago, or the admission expired.
   */
  claimAdmission(
    ref: QueueRef,
    req: ClaimRequest,
    at: Instant,
  ): Promise<
    Result<Claim, 'not-open' | 'not-reached' | 'expired' | 'completed' | 'other-device' | 'unknown' | 'missing-state'>
  >;

  /** The booking completed: the admission ends and the identity cannot join this campaign again (until reopenAfterCancel). Idempotent. */
  completeAdmission(
    ref: QueueRef,
    identityHash: string,
    at: Instant,
  ): Promise<Result<void, 'not-admitted' | 'unknown' | 'missing-state'>>;

  /**
   * The person's own booking was cancelled: a completed identity may join again, as a new arrival
   * at the back (state 'expired'; device tag and lock-out unchanged, so one device per person holds).
   * 'not-completed' if the person is not in state 'completed' (nothing changes). Idempotent in effect.
   */
  reopenAfterCancel(
    ref: QueueRef,
    identityHash: string,
    at: Instant,
  ): Promise<Result<void, 'not-completed' | 'unknown' | 'missing-state'>>;

  /** The holder gives up a place or an admission (state 'expired'). Idempotent for the holder device. */
  releasePlace(
    ref: QueueRef,
    req: { readonly identityHash: string; readonly deviceId: string },
    at: Instant,
  ): Promise<Result<void, 'other-device' | 'unknown' | 'missing-state'>>;

  /** Mark up to `limit` admissions whose expiry ≤ now as expired. Returns how many. */
  expireAdmissions(
    ref: QueueRef,
    req: { readonly limit: number },
    at: Instant,
  ): Promise<Result<number, 'missing-state'>>;

  /** The partition's counters (freezes the pre-room at opening, like every timed operation). */
  stats(ref: QueueRef, at: Instant): Promise<Result<QueueStats, 'missing-state'>>;

  /**
   * Recreate lost metadata from a checkpoint. 'present' (no change) if metadata exists, so many
   * servers may race to restore. Seqs up to the cursor get a fresh grace period from `at.nowMs`,
   * except those at or below the checkpoint's grace floor.
   */
  restoreFrom(
    ref: QueueRef,
    checkpoint: PartitionCheckpoint,
    at: Instant,
  ): Promise<Result<'restored' | 'present', never>>;

  /**
   * Put back a person from their signed ticket after a loss. If the identity has a record, it is
   * returned unchanged (kind 'present'). A seq above the tail raises the tail to it. A pre-room ticket
   * rejoins the pre-room before opening; after opening its seq is estimated as ceil(score/2^48 × frozen),
   * which keeps the order of the scores. 'bad-place' if the ticket holds neither seq nor score.
   */
  reinsert(
    ref: QueueRef,
    req: ReinsertRequest,
    at: Instant,
  ): Promise<Result<Place & { readonly kind: 'reinserted' | 'present' }, 'bad-place' | 'missing-state'>>;

  /** Read one record without changing anything (support tools and tests). */
  personRecord(ref: QueueRef, identityHash: string): Promise<PersonRecord | null>;

  /**
   * The record's state alone (null: no record), without changing anything: what the admission
   * check reads on every admitted request. One read, where `personRecord` needs two (on Redis the
   * admission's expiry is in another key).
   */
  personState(ref: QueueRef, identityHash: string): Promise<PersonRecord['state'] | null>;

  /**
   * The pre-room set's members (person fields) in rank order — ascending score, equal scores by
   * member — from `offset` (0-based), at most `limit`. Reads only; used to publish the draw's order
   * after the opening. Leavers are in it once the pre-room is frozen (ranks never move after that).
   */
  preRoomMembers(ref: QueueRef, page: { readonly offset: number; readonly limit: number }): Promise<string[]>;

  /**
   * The operator's admission settings of a campaign (planned rate, message to everyone waiting): one
   * small record per campaign, outside the partitions, read by every process at each snapshot
   * refresh. null when never set (or lost with Redis: processes keep the copy they last read).
   */
  readAdmissionSettings(campaignId: string): Promise<AdmissionSettings | null>;

  /** Replace a campaign's admission settings (last writer wins). */
  writeAdmissionSettings(campaignId: string, settings: AdmissionSettings): Promise<void>;

  /** Release the adapter's connection (the adapter owns it). */
  close(): Promise<void>;
}

/** Pre-room scores are integers in [0, PRE_SCORE_RANGE): exact in a double and in a ZSET score. */
export const PRE_SCORE_RANGE = 2 ** 48;

/** The seq a pre-room ticket gets when the pre-room ranks were lost: monotonic in the score. */
export function estimatedPreRoomSeq(preScore: number, frozen: number): number {
  // Same arithmetic as quantile_seq in scripts/lib.lua (IEEE doubles on both sides).
  return Math.max(1, Math.min(frozen, Math.ceil((preScore / PRE_SCORE_RANGE) * frozen)));
}
