/**
 * Survival of a Redis loss. The admission loop writes each partition's counters about once a
 * second to a durable place (a Postgres adapter lives with the database code; the in-memory one
 * here serves tests and the embedded mode). After a loss the counters come back from here and
 * people come back from their signed tickets; see README.md.
 */
import type { Instant, PartitionCheckpoint } from './waiting-room.store.ts';

/**
 * Durable counters per campaign partition. `save` must never move a counter backwards (merge with
 * the maximum, e.g. `GREATEST` in SQL): a late write from a slow server must not undo a newer one,
 * and a cursor that went backwards would re-admit no one but would show people a worse position.
 */
export interface WaitingRoomCheckpoint {
  save(campaignId: string, partitions: readonly PartitionCheckpoint[]): Promise<void>;
  /** The last saved counters, or null if nothing was ever saved for the campaign. */
  load(campaignId: string): Promise<readonly PartitionCheckpoint[] | null>;
}

function mergeMax(old: PartitionCheckpoint | undefined, next: PartitionCheckpoint): PartitionCheckpoint {
  if (!old) return next;
  return {
    partition: next.partition,
    cursor: Math.max(old.cursor, next.cursor),
    tail: Math.max(old.tail, next.tail),
    frozen: old.frozen ?? next.frozen,
    preRoom: Math.max(old.preRoom, next.preRoom),
    claimedTotal: Math.max(old.claimedTotal, next.claimedTotal),
    graceFloor: Math.max(old.graceFloor, next.graceFloor),
    savedAtMs: Math.max(old.savedAtMs, next.savedAtMs),
  };
}

export function createMemoryCheckpoint(): WaitingRoomCheckpoint {
  const saved = new Map<string, Map<number, PartitionCheckpoint>>();
  return {
    async save(campaignId, partitions) {
      const byPartition = saved.get(campaignId) ?? new Map<number, PartitionCheckpoint>();
      for (const cp of partitions) byPartition.set(cp.partition, mergeMax(byPartition.get(cp.partition), cp));
      saved.set(campaignId, byPartition);
    },
    async load(campaignId) {
      const byPartition = saved.get(campaignId);
      return byPartition ? [...byPartition.values()].sort((a, b) => a.partition - b.partition) : null;
    },
  };
}

/** The metadata a partition gets back on restore; shared by both adapters so they agree. */
export interface RestoredMeta {
  readonly cursor: number;
  /** Post-opening joins: tail − frozen. */
  readonly n: number;
  readonly frozen: number | null;
  readonly claimedTotal: number;
  readonly graceFloor: number;
  /**
   * > 0 when an unfrozen pre-room of this size was lost: it will freeze at no less than this, and
   * every pre-room place is then given by its score's quantile (the exact ranks are gone).
   */
  readonly preFloor: number;
}

/**
 * If the checkpoint predates the opening, the pre-room set that existed then is lost. Restored
 * after the opening, its checkpointed size is taken as the frozen size at once; restored before,
 * it becomes the floor of the frozen size. Either way pre-room tickets are then placed by their
 * score's quantile of that size, which keeps their order.
 */
export function restoredMeta(cp: PartitionCheckpoint, at: Instant): RestoredMeta {
  const frozen = cp.frozen ?? (at.nowMs >= at.opensAtMs ? cp.preRoom : null);
  const tail = Math.max(cp.tail, frozen ?? 0);
  const cursor = Math.min(cp.cursor, tail);
  return {
    cursor,
    n: tail - (frozen ?? 0),
    frozen,
    claimedTotal: cp.claimedTotal,
    graceFloor: Math.min(cp.graceFloor, cursor),
    preFloor: cp.frozen === null ? cp.preRoom : 0,
  };
}
