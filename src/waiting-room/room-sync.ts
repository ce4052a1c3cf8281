/**
 * Keeps the waiting room's rooms in step with the live campaigns: one room per live campaign that
 * has an opening, opened once per process (opening is idempotent, and restores a lost queue).
 */
import type { CampaignService } from '../campaigns/campaign.service.ts';
import { openingsOf } from '../eligibility/openings.ts';
import type { WaitingRoomService } from './waiting-room.service.ts';

export interface RoomSync {
  /** Opens a room for every live campaign that has none yet. */
  syncRooms(): Promise<void>;
  /** The campaigns this process has opened a room for (the loops tick them, the metrics read them). */
  readonly opened: ReadonlySet<string>;
}

export function createRoomSync(o: {
  service: WaitingRoomService;
  campaigns: Pick<CampaignService, 'liveCampaigns'>;
  partitions: number;
}): RoomSync {
  const opened = new Set<string>();
  return {
    opened,
    async syncRooms() {
      for (const [id, live] of await o.campaigns.liveCampaigns()) {
        if (opened.has(id)) continue;
        const first = openingsOf(live.rules)[0];
        if (!first) continue;
        await o.service.openCampaign({ campaignId: id, opensAtMs: first.opensAtMs, partitions: o.partitions });
        opened.add(id);
      }
    },
  };
}
