/** Pre-room draw seeds in Postgres (or PGlite): one row per campaign, written once, never changed. */
import type { Db } from '../platform/db.ts';
import type { DrawSeedStore } from './pre-room-draw.ts';

export function createPgDrawSeeds(db: Db): DrawSeedStore {
  return {
    async seedFor(campaignId, fresh) {
      // First writer wins; everyone (every process, every restart) then reads the stored seed.
      await db
        .insertInto('waiting_room_draw_seeds')
        .values({ campaign_id: campaignId, seed: Buffer.from(fresh) })
        .onConflict((oc) => oc.column('campaign_id').doNothing())
        .execute();
      const row = await db
        .selectFrom('waiting_room_draw_seeds')
        .select('seed')
        .where('campaign_id', '=', campaignId)
        .executeTakeFirstOrThrow();
      return new Uint8Array(row.seed);
    },
  };
}
