/**
 * Partitions of one campaign's queue. A person's partition is fixed by their identity hash, so every
 * server and every retry finds them in the same place. Admission advances each partition's cursor in
 * proportion to the people it still has waiting, so the partitions drain together and the global
 * admission order interleaves them (each partition keeps its own strict order).
 */
import { createHash } from 'node:crypto';

/** hash(identityHash) mod partitions, from the first 6 bytes of SHA-256 (uniform, stable). */
export function partitionOf(identityHash: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) throw new Error(`bad partition count ${partitions}`);
  if (partitions === 1) return 0;
  return createHash('sha256').update(identityHash).digest().readUIntBE(0, 6) % partitions;
}

/**
 * Split `count` admissions over partitions in proportion to `waiting[p]`. `carry[p]` keeps each
 * partition's fractional share between ticks, so small ticks do not always favour the same partition;
 * shares are floored and the remaining units go to the largest fractional parts. Returns the counts
 * and the new carry. Never gives a partition more than it has waiting.
 */
export function allocateAdvance(
  count: number,
  waiting: readonly number[],
  carry: readonly number[],
): { counts: number[]; carry: number[] } {
  const total = waiting.reduce((a, b) => a + b, 0);
  const units = Math.min(Math.floor(count), total);
  if (units <= 0) return { counts: waiting.map(() => 0), carry: waiting.map((_, p) => carry[p] ?? 0) };
  const shares = waiting.map((w, p) => (units * w) / total + (carry[p] ?? 0));
  const counts = shares.map((s, p) => Math.min(Math.max(0, Math.floor(s)), waiting[p]!));
  let left = units - counts.reduce((a, b) => a + b, 0);
  const byFraction = shares.map((s, p) => ({ p, f: s - counts[p]! })).sort((a, b) => b.f - a.f || a.p - b.p);
  for (const { p } of byFraction) {
    if (left <= 0) break;
    if (counts[p]! < waiting[p]!) {
      counts[p] = counts[p]! + 1;
      left -= 1;
    }
  }
  // Carry stays within (-1, 1): a partition that got a unit early owes it back later.
  const nextCarry = shares.map((s, p) => Math.max(-1, Math.min(1, s - counts[p]!)));
  return { counts, carry: nextCarry };
}
