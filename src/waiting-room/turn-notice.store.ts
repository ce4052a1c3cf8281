/**
 * "Text me when it is my turn": the waiting room's record of who asked for a message and when it
 * went out. A port of its own (not part of WaitingRoomStore) so the poll path never touches it: the
 * admission leader's background loop reads it about every few seconds, and a claim reads one entry.
 * Two adapters (turn-notice.memory-store.ts, turn-notice.redis-store.ts) under one contract suite
 * (test/contracts/turn-notice-store.contract.ts), run on memory, Redis and Redis Cluster.
 *
 * What is kept, per partition: the identity hash (the registry's keyed HMAC, never an RRN or a phone
 * number; the phone is read from the registry when the message is written) with the seq it waits at,
 * and, once the message went out, the instant it did (the grace period counts from it).
 */
import type { QueueRef } from './keys.ts';

/** One person waiting for their message: the seq of their place. */
export interface PendingNotice {
  readonly identityHash: string;
  readonly seq: number;
}

/** pending: asked, not sent yet; sent: the message went out at `sentAtMs` (epoch ms). */
export type NoticeState =
  | { readonly state: 'pending'; readonly seq: number }
  | { readonly state: 'sent'; readonly seq: number; readonly sentAtMs: number };

export interface TurnNoticeStore {
  /**
   * Ask for a message when `seq` nears the front. Idempotent; the message for this seq is not asked
   * again once sent ('already-sent'), but a new place (another seq, after rejoining) may ask anew.
   */
  optIn(ref: QueueRef, notice: PendingNotice): Promise<'added' | 'present' | 'already-sent'>;
  /** Withdraw a pending request (no-op if none). */
  optOut(ref: QueueRef, identityHash: string): Promise<void>;
  /** This identity's notice in the partition, or null. */
  noticeOf(ref: QueueRef, identityHash: string): Promise<NoticeState | null>;
  /** Pending notices whose seq ≤ `throughSeq`, lowest seq first, at most `limit`. Reads only. */
  dueNotices(ref: QueueRef, req: { readonly throughSeq: number; readonly limit: number }): Promise<PendingNotice[]>;
  /**
   * The messages for these identities were written: each pending one becomes sent at `nowMs`.
   * Returns how many were pending (a second caller for the same identities gets 0). Sent marks are
   * kept for `keepMs` after the last mark (long past any grace period), then forgotten.
   */
  markSent(
    ref: QueueRef,
    req: { readonly identityHashes: readonly string[]; readonly nowMs: number; readonly keepMs: number },
  ): Promise<number>;
  /** Release the adapter's connection, if it owns one. */
  close(): Promise<void>;
}
