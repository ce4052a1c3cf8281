/**
 * What the public may read of a campaign's pre-room draw (see pre-room-draw.ts): the commitment
 * from the moment the room is open for joins, the seed once the opening instant has passed by the
 * server's clock, and then the pre-room's order as ticket ids, page by page per partition, from
 * which `npm run draw:verify` recomputes every score and checks the order.
 */
import { err, ok, type Result } from '../platform/result.ts';
import { DRAW_ALGORITHM, seedCommitment, ticketIdOfField } from './pre-room-draw.ts';
import { refOf, type Room, type RoomContext } from './room.ts';

export interface DrawStatement {
  readonly campaignId: string;
  readonly opensAtMs: number;
  readonly partitions: number;
  /** SHA-256 of the seed, hex: published before anyone could join. */
  readonly commitment: string;
  /** The seed, hex, once the opening has passed; null before. */
  readonly seed: string | null;
  readonly algorithm: string;
}

export interface DrawPublication {
  drawOf(campaignId: string): Result<DrawStatement, 'unknown-campaign'>;
  /** Ticket ids of one partition's pre-room in place order (place = offset + index + 1). */
  preRoomOrder(
    campaignId: string,
    page: { partition: number; offset: number; limit: number },
  ): Promise<Result<{ ticketIds: string[] }, 'unknown-campaign' | 'not-open'>>;
}

export const MAX_ORDER_PAGE = 10_000;

export function createDrawPublication(
  ctx: RoomContext,
  rooms: Map<string, Room>,
  seeds: ReadonlyMap<string, Uint8Array>,
): DrawPublication {
  const isOpen = (room: Room) => ctx.clock.nowMs() >= room.cfg.opensAtMs;
  return {
    drawOf(campaignId) {
      const room = rooms.get(campaignId);
      const seed = seeds.get(campaignId);
      if (!room || !seed) return err('unknown-campaign');
      return ok({
        campaignId,
        opensAtMs: room.cfg.opensAtMs,
        partitions: room.cfg.partitions,
        commitment: seedCommitment(seed),
        seed: isOpen(room) ? Buffer.from(seed).toString('hex') : null,
        algorithm: DRAW_ALGORITHM,
      });
    },
    async preRoomOrder(campaignId, page) {
      const room = rooms.get(campaignId);
      if (!room || page.partition < 0 || page.partition >= room.cfg.partitions) return err('unknown-campaign');
      if (!isOpen(room)) return err('not-open');
      const fields = await ctx.store.preRoomMembers(refOf(room, page.partition), {
        offset: page.offset,
        limit: Math.min(page.limit, MAX_ORDER_PAGE),
      });
      return ok({ ticketIds: fields.map((f) => ticketIdOfField(campaignId, f)) });
    },
  };
}
