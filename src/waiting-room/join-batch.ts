/**
 * Joins that arrive in the same event-loop turn go to the store together: one `joinMany` per
 * partition (one Lua script call on Redis) instead of one `join` each. A process under load reads
 * many requests per turn (every socket that became readable), so the per-call cost of the store
 * client — command objects, promises, a socket write — is shared by them all.
 *
 * Nothing is answered early: each caller's promise settles only after the store's answer for the
 * whole batch, and every entry of a batch is stored before that answer (the port's contract). A
 * failed call rejects every entry of its batch; a join is "take a place or get it back", so the
 * caller may simply try again. The instant of a batch is taken when it is sent, and each entry's
 * request is made then from it (the pre-room score is drawn only while the partition is before its
 * opening at that instant).
 */
import type { Result } from '../platform/result.ts';
import type { Instant, JoinOutcome, JoinRequest, QueueRef, WaitingRoomStore } from './waiting-room.store.ts';

/** Entries one store call takes at most (a Lua script runs alone on its Redis; keep each one short). */
export const MAX_JOINS_PER_CALL = 128;

type JoinReason = 'other-device' | 'completed' | 'too-many-joins' | 'missing-state';

interface Pending {
  readonly ref: QueueRef;
  readonly instant: () => Instant;
  readonly entries: {
    readonly requestAt: (at: Instant) => JoinRequest;
    readonly settle: (r: Result<JoinOutcome, JoinReason>) => void;
    readonly fail: (e: unknown) => void;
  }[];
}

export interface JoinBatcher {
  /**
   * Join through the next batch of `ref`'s partition; `instant` is read and `requestAt` called
   * when the batch is sent. Resolves with this entry's answer once the store has answered them all.
   */
  join(
    ref: QueueRef,
    instant: () => Instant,
    requestAt: (at: Instant) => JoinRequest,
  ): Promise<Result<JoinOutcome, JoinReason>>;
}

/**
 * `defer` runs the send after the current turn's I/O callbacks (setImmediate in a process; a test
 * may pass its own). `maxPerCall` caps a batch; a full batch is sent at once.
 */
export function createJoinBatcher(o: {
  store: Pick<WaitingRoomStore, 'joinMany'>;
  defer?: (send: () => void) => void;
  maxPerCall?: number;
}): JoinBatcher {
  const defer = o.defer ?? ((send: () => void) => void setImmediate(send));
  const max = o.maxPerCall ?? MAX_JOINS_PER_CALL;
  const open = new Map<string, Pending>();

  function send(key: string, batch: Pending) {
    if (open.get(key) === batch) open.delete(key);
    const at = batch.instant();
    let reqs: JoinRequest[];
    try {
      reqs = batch.entries.map((e) => e.requestAt(at));
    } catch (e) {
      for (const entry of batch.entries) entry.fail(e);
      return;
    }
    o.store.joinMany(batch.ref, reqs, at).then(
      (r) => {
        batch.entries.forEach((entry, i) => {
          if (!r.ok) return entry.settle(r);
          const one = r.value[i];
          if (one === undefined) entry.fail(new Error(`joinMany answered ${r.value.length} of ${reqs.length}`));
          else entry.settle(one);
        });
      },
      (e: unknown) => {
        for (const entry of batch.entries) entry.fail(e);
      },
    );
  }

  return {
    join(ref, instant, requestAt) {
      const key = `${ref.campaignId}\u0000${ref.partition}`;
      return new Promise((settle, fail) => {
        let batch = open.get(key);
        if (!batch) {
          const fresh: Pending = { ref, instant, entries: [] };
          open.set(key, fresh);
          defer(() => {
            if (open.get(key) === fresh) send(key, fresh);
          });
          batch = fresh;
        }
        batch.entries.push({ requestAt, settle, fail });
        if (batch.entries.length >= max) send(key, batch);
      });
    },
  };
}
