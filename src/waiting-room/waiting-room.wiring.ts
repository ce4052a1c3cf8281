/**
 * Puts the waiting room together for a process: the store (Redis Cluster when REDIS_CLUSTER_NODES
 * is set, one Redis when REDIS_URL is, memory otherwise), the Postgres checkpoint, one room per live campaign, its metrics, and the loops
 * (snapshot refresh on every process; admission ticks on the leader only).
 */
import { Cluster, Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.ts';
import type { Config } from '../platform/config.ts';
import type { Db } from '../platform/db.ts';
import type { CampaignService } from '../campaigns/campaign.service.ts';
import { openingsOf } from '../eligibility/openings.ts';
import type { BookingHealth } from './admission-controller.ts';
import { createEtaTracker } from './eta-tracker.ts';
import { createMemoryStore } from './memory-store.ts';
import { createPgCheckpoint } from './pg-checkpoint.ts';
import { createRedisStore } from './redis-store.ts';
import { deriveKey } from '../platform/signing.ts';
import { partitionOf } from './partition.ts';
import { redisLeaderLease, soleLeader } from './leader-lease.ts';
import { admissionLeaderKey } from './keys.ts';
import { createWaitingRoomService, type WaitingRoomService } from './waiting-room.service.ts';

export interface WaitingRoomWiring {
  service: WaitingRoomService;
  eta: ReturnType<typeof createEtaTracker>;
  redis: Redis | Cluster | null;
  /**
   * A booking committed under this admission. Booking for oneself ends the campaign for this
   * identity; booking for someone else (proxy) only ends this admission, so the requester can
   * queue again for their own booking or another relative's.
   */
  bookingPlaced(campaignId: string, identityHash: string, deviceId: string, isProxy: boolean): Promise<void>;
  /** Opens a room for every live campaign that has none yet. */
  syncRooms(): Promise<void>;
  /** Starts the loops; returns a stop function. */
  start(health: () => BookingHealth, log: Logger): () => Promise<void>;
  queueView(campaignId: string): QueueSummary | null;
  close(): Promise<void>;
}

export interface QueueSummary {
  waiting: number; admittedPerSec: number; activeSessions: number; cursor: number; tail: number;
  paused: boolean; pinnedRatePerSec: number | null; ratePerSec: number;
}

export function wireWaitingRoom(o: { config: Config; clock: Clock; db: Db; campaigns: CampaignService; registry: Registry }): WaitingRoomWiring {
  const { config, clock } = o;
  const redis = connectRedis(config);
  const store = redis ? createRedisStore({ client: redis, keyPrefix: config.redisKeyPrefix }) : createMemoryStore();
  const service = createWaitingRoomService({
    clock, store, checkpoint: createPgCheckpoint(o.db),
    keys: { ticket: deriveKey(config.signingSecret, 'queue-ticket'), admission: deriveKey(config.signingSecret, 'admission') },
    controller: { initialRatePerSec: config.admissionInitialRatePerSec, maxRatePerSec: config.admissionMaxRatePerSec, activeSessionCap: config.activeSessionCap },
  });
  const eta = createEtaTracker(clock);
  const opened = new Set<string>();

  async function syncRooms() {
    for (const [id, live] of await o.campaigns.liveCampaigns()) {
      if (opened.has(id)) continue;
      const first = openingsOf(live.rules)[0];
      if (!first) continue;
      await service.openCampaign({ campaignId: id, opensAtMs: first.opensAtMs, partitions: config.waitingRoomPartitions });
      opened.add(id);
    }
  }

  function queueView(campaignId: string): QueueSummary | null {
    const s = service.roomStatus(campaignId);
    if (!s.ok) return null;
    const parts = s.value.snapshot?.partitions ?? [];
    const sum = (f: (p: (typeof parts)[number]) => number) => parts.reduce((n, p) => n + f(p), 0);
    const c = s.value.controller;
    return {
      waiting: sum((p) => p.stats.waiting), admittedPerSec: sum((p) => p.rate?.meanPerSec ?? 0), activeSessions: sum((p) => p.stats.activeSessions),
      cursor: sum((p) => p.stats.cursor), tail: sum((p) => p.stats.tail), paused: c.isPaused, pinnedRatePerSec: c.pinnedRatePerSec, ratePerSec: c.ratePerSec,
    };
  }

  registerQueueMetrics(o.registry, () => [...opened].map((id) => ({ id, view: queueView(id), eta: eta.summary(id) })));
  // 1 while this process holds the admission lease (as of its last tick); exactly one process should.
  let isLeading = false;
  new Gauge({ name: 'waiting_room_admission_leader', help: 'Whether this process runs admission ticks (holds the leader lease)', registers: [o.registry],
    collect() { this.set(isLeading ? 1 : 0); } });

  function start(health: () => BookingHealth, log: Logger) {
    const every = (ms: number, f: () => Promise<unknown>) => {
      let running = false;
      const t = setInterval(() => {
        if (running) return;
        running = true;
        f().catch((e) => log.error({ err: e }, 'waiting-room loop failed')).finally(() => { running = false; });
      }, ms);
      return t;
    };
    let lastSync = 0;
    const timers = [every(1_000, async () => {
      if (clock.nowMs() - lastSync > 5_000) { lastSync = clock.nowMs(); await syncRooms(); }
      await service.refreshSnapshot();
    })];
    if (config.admissionLeader) {
      const lease = redis ? redisLeaderLease(redis, admissionLeaderKey(config.redisKeyPrefix), Math.max(2_000, 8 * config.admissionTickMs)) : soleLeader;
      timers.push(every(config.admissionTickMs, async () => {
        try { isLeading = await lease.tryHold(); } catch (e) { isLeading = false; throw e; }
        if (!isLeading) return;
        for (const id of opened) await service.tick(id, health());
      }));
    }
    return async () => { for (const t of timers) clearInterval(t); isLeading = false; };
  }

  const refFor = (campaignId: string, identityHash: string) => ({ campaignId, partition: partitionOf(identityHash, config.waitingRoomPartitions) });

  async function bookingPlaced(campaignId: string, identityHash: string, deviceId: string, isProxy: boolean) {
    if (!isProxy) {
      await service.completeAdmission({ campaignId, identityHash });
      return;
    }
    const live = await o.campaigns.liveCampaign(campaignId);
    const first = live && openingsOf(live.rules)[0];
    if (first) await store.releasePlace(refFor(campaignId, identityHash), { identityHash, deviceId }, { nowMs: clock.nowMs(), opensAtMs: first.opensAtMs });
  }

  return { service, eta, redis, bookingPlaced, syncRooms, start, queueView, close: () => store.close() };
}

/**
 * The queue's Redis connection. On a cluster every partition is one hash tag, so every script and
 * the leader lease stay single-slot; ioredis follows MOVED/ASK and reloads the slot map itself.
 */
function connectRedis(config: Config): Redis | Cluster | null {
  const redisOptions = { maxRetriesPerRequest: 2, enableOfflineQueue: true, enableAutoPipelining: true };
  if (config.redisClusterNodes) return new Cluster(config.redisClusterNodes.map((n) => ({ ...n })), { redisOptions });
  return config.redisUrl ? new Redis(config.redisUrl, redisOptions) : null;
}

function registerQueueMetrics(registry: Registry, read: () => { id: string; view: QueueSummary | null; eta: { p50Sec: number; p90Sec: number } | null }[]) {
  const gauge = (name: string, help: string, pick: (r: ReturnType<typeof read>[number]) => number | undefined) => new Gauge({
    name, help, labelNames: ['campaign'] as const, registers: [registry],
    collect() {
      this.reset();
      for (const r of read()) { const v = pick(r); if (v !== undefined) this.set({ campaign: r.id }, v); }
    },
  });
  gauge('waiting_room_queue_length', 'People waiting (not yet reached)', (r) => r.view?.waiting);
  gauge('waiting_room_admitted_per_second', 'Measured admissions per second', (r) => r.view?.admittedPerSec);
  gauge('waiting_room_active_sessions', 'Admissions claimed and still active', (r) => r.view?.activeSessions);
  gauge('waiting_room_admission_rate_per_second', 'Admission rate the controller is using', (r) => r.view?.ratePerSec);
  gauge('waiting_room_eta_error_p50_seconds', 'Median absolute error of the first ETA shown', (r) => r.eta?.p50Sec);
  gauge('waiting_room_eta_error_p90_seconds', '90th percentile absolute error of the first ETA shown', (r) => r.eta?.p90Sec);
}
