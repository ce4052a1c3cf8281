/**
 * Puts the waiting room together for a process, from parts that each do one job: the store (Redis
 * when the process has a connection, see platform/redis.ts; memory otherwise) and the Postgres
 * checkpoint behind the service, the rooms kept in step with the live campaigns (room-sync.ts),
 * the loops (waiting-room.loops.ts) and the operators' view and gauges (waiting-room.metrics.ts).
 */
import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../platform/clock.ts';
import type { Config } from '../platform/config.ts';
import type { Db } from '../platform/db.ts';
import type { RedisClient } from '../platform/redis.ts';
import { deriveKey } from '../platform/signing.ts';
import type { CampaignService } from '../campaigns/campaign.service.ts';
import { createEtaTracker, type EtaTracker } from './eta-tracker.ts';
import { createMemoryStore } from './memory-store.ts';
import { createPgCheckpoint } from './pg-checkpoint.ts';
import { createPgDrawSeeds } from './pg-draw-seeds.ts';
import { createRedisStore } from './redis-store.ts';
import { redisLeaderLease, soleLeader } from './leader-lease.ts';
import { admissionLeaderKey } from './keys.ts';
import { createRoomSync } from './room-sync.ts';
import { createWaitingRoomLoops, type WaitingRoomLoops } from './waiting-room.loops.ts';
import { queueSummary, registerWaitingRoomMetrics, type QueueSummary } from './waiting-room.metrics.ts';
import { createWaitingRoomService, type WaitingRoomService } from './waiting-room.service.ts';
import { createAdmissionLedgerRepository } from './admission-ledger.repository.ts';
import type { SeatSupply } from './admission-settings.ts';
import { createMemoryTurnNoticeStore } from './turn-notice.memory-store.ts';
import { createRedisTurnNoticeStore } from './turn-notice.redis-store.ts';
import { createTurnNoticeService, type TurnNoticeOutbox, type TurnNoticeService } from './turn-notice.service.ts';
import { defaultWaitingRoomSettings } from './room.ts';
import { sharedSeatSupply } from './shared-seat-supply.ts';
import { createRedisSeatCountStore } from './seat-count.redis-store.ts';
import type { AdmissionControllerSettings } from './admission-controller.ts';

export interface WaitingRoomWiring {
  service: WaitingRoomService;
  eta: EtaTracker;
  /** Opens a room for every live campaign that has none yet. */
  syncRooms(): Promise<void>;
  start: WaitingRoomLoops['start'];
  queueView(campaignId: string): QueueSummary | null;
  /** "Text me when it is my turn" (opt in/out, the leader's rounds, the operator's counts). */
  turnNotices: TurnNoticeService;
  /** Whether this process holds the admission lease now (its ticks admit). */
  isLeading(): boolean;
  /** Closes the store, and with it the Redis connection it was given. */
  close(): Promise<void>;
}

export function wireWaitingRoom(o: {
  config: Config;
  clock: Clock;
  db: Db;
  redis: RedisClient | null;
  campaigns: CampaignService;
  registry: Registry;
  /** Seats left per campaign (the booking side); absent: admission is not limited by seats. */
  seats?: SeatSupply;
  /** Where "your turn is near" messages are written (the booking capability's outbox). */
  turnNoticeOutbox: TurnNoticeOutbox;
}): WaitingRoomWiring {
  const { config, clock, redis } = o;
  const store = redis ? createRedisStore({ client: redis, keyPrefix: config.redisKeyPrefix }) : createMemoryStore();
  const noticeStore = redis
    ? createRedisTurnNoticeStore({ client: redis, keyPrefix: config.redisKeyPrefix })
    : createMemoryTurnNoticeStore();
  // With Redis there may be many processes: one of them reads the seats for all (shared-seat-supply.ts).
  const sharedSeats = (source: SeatSupply): SeatSupply =>
    redis
      ? sharedSeatSupply({
          source,
          counts: createRedisSeatCountStore({ client: redis, keyPrefix: config.redisKeyPrefix }),
          everyMs: defaultWaitingRoomSettings.seatsEveryMs,
        })
      : source;
  const service = createWaitingRoomService({
    clock,
    store,
    checkpoint: createPgCheckpoint(o.db),
    drawSeeds: createPgDrawSeeds(o.db),
    admissions: createAdmissionLedgerRepository(o.db),
    ...(o.seats ? { seats: sharedSeats(o.seats) } : {}),
    turnNotices: noticeStore,
    keys: {
      ticket: deriveKey(config.signingSecret, 'queue-ticket'),
      admission: deriveKey(config.signingSecret, 'admission'),
    },
    controller: controllerSettingsOf(config),
  });
  const eta = createEtaTracker(clock);
  const rooms = createRoomSync({ service, campaigns: o.campaigns, partitions: config.waitingRoomPartitions });
  const newLease = !config.admissionLeader
    ? null
    : () =>
        redis
          ? redisLeaderLease(
              redis,
              admissionLeaderKey(config.redisKeyPrefix),
              Math.max(2_000, 8 * config.admissionTickMs),
            )
          : soleLeader;
  const noticesSent = new Counter({
    name: 'waiting_room_turn_notices_total',
    help: '"Your turn is near" messages written to the outbox',
    labelNames: ['campaign'] as const,
    registers: [o.registry],
  });
  const turnNotices = createTurnNoticeService({
    clock,
    notices: noticeStore,
    ticketKey: deriveKey(config.signingSecret, 'queue-ticket'),
    ticketMaxAgeMs: defaultWaitingRoomSettings.ticketMaxAgeMs,
    graceMs: defaultWaitingRoomSettings.graceMs,
    publicBaseUrl: config.publicBaseUrl,
    rooms: service,
    async placeOf(ref, identityHash, opensAtMs) {
      const r = await store.positionOf(ref, identityHash, { nowMs: clock.nowMs(), opensAtMs });
      return r.ok ? { state: r.value.state, seq: r.value.seq } : null;
    },
    async campaign(campaignId) {
      const live = await o.campaigns.liveCampaign(campaignId);
      return live && { name: live.rules.name, setting: live.rules.turnNotice };
    },
    outbox: o.turnNoticeOutbox,
    onSent: (campaignId, n) => noticesSent.inc({ campaign: campaignId }, n),
  });
  const loops = createWaitingRoomLoops({
    clock,
    service,
    rooms,
    newLease,
    tickMs: config.admissionTickMs,
    turnNotices: { runOnce: turnNotices.runOnce, everyMs: config.turnNoticeEveryMs },
  });
  const queueView = (campaignId: string) => queueSummary(service, campaignId);
  registerWaitingRoomMetrics(o.registry, { campaigns: () => rooms.opened, queueView, eta, isLeading: loops.isLeading });
  return {
    service,
    eta,
    syncRooms: rooms.syncRooms,
    start: loops.start,
    queueView,
    turnNotices,
    isLeading: loops.isLeading,
    close: () => store.close(),
  };
}

/** The admission controller's settings from the config (the rest are the controller's defaults). */
export function controllerSettingsOf(
  config: Pick<
    Config,
    'admissionInitialRatePerSec' | 'admissionMaxRatePerSec' | 'activeSessionCap' | 'activeSessionFloor'
  >,
): Partial<AdmissionControllerSettings> {
  return {
    initialRatePerSec: config.admissionInitialRatePerSec,
    maxRatePerSec: config.admissionMaxRatePerSec,
    activeSessionCap: config.activeSessionCap,
    // A floor set in people (ACTIVE_SESSION_FLOOR) as the controller's share of the cap, at most all of it.
    ...(config.activeSessionFloor > 0
      ? { minSessionLimitShare: Math.min(1, config.activeSessionFloor / config.activeSessionCap) }
      : {}),
  };
}
