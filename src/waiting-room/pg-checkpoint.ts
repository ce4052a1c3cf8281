/** The waiting room's checkpoint in Postgres (or PGlite): one row per campaign partition. */
import { sql } from 'kysely';
import type { Db } from '../platform/db.ts';
import type { WaitingRoomCheckpoint } from './checkpoint.ts';
import type { PartitionCheckpoint } from './waiting-room.store.ts';

export function createPgCheckpoint(db: Db): WaitingRoomCheckpoint {
  return {
    async save(campaignId, partitions) {
      if (partitions.length === 0) return;
      await db
        .insertInto('waiting_room_checkpoints')
        .values(
          partitions.map((p) => ({
            campaign_id: campaignId,
            partition: p.partition,
            cursor: p.cursor,
            tail: p.tail,
            frozen: p.frozen,
            pre_room: p.preRoom,
            claimed_total: p.claimedTotal,
            grace_floor: p.graceFloor,
            saved_at_ms: p.savedAtMs,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['campaign_id', 'partition']).doUpdateSet({
            cursor: sql`GREATEST(waiting_room_checkpoints.cursor, excluded.cursor)`,
            tail: sql`GREATEST(waiting_room_checkpoints.tail, excluded.tail)`,
            frozen: sql`COALESCE(waiting_room_checkpoints.frozen, excluded.frozen)`,
            pre_room: sql`GREATEST(waiting_room_checkpoints.pre_room, excluded.pre_room)`,
            claimed_total: sql`GREATEST(waiting_room_checkpoints.claimed_total, excluded.claimed_total)`,
            grace_floor: sql`GREATEST(waiting_room_checkpoints.grace_floor, excluded.grace_floor)`,
            saved_at_ms: sql`GREATEST(waiting_room_checkpoints.saved_at_ms, excluded.saved_at_ms)`,
          }),
        )
        .execute();
    },
    async load(campaignId) {
      const rows = await db
        .selectFrom('waiting_room_checkpoints')
        .selectAll()
        .where('campaign_id', '=', campaignId)
        .orderBy('partition')
        .execute();
      if (rows.length === 0) return null;
      return rows.map((r): PartitionCheckpoint => ({
        partition: r.partition,
        cursor: r.cursor,
        tail: r.tail,
        frozen: r.frozen,
        preRoom: r.pre_room,
        claimedTotal: r.claimed_total,
        graceFloor: r.grace_floor,
        savedAtMs: r.saved_at_ms,
      }));
    },
  };
}
