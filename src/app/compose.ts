/**
 * The composition root: the only place that knows which adapter backs each port. Everything
 * else receives what it needs. Tests call `composeApp` with an in-memory PGlite or a test schema.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../platform/config.ts';
import type { Clock } from '../platform/clock.ts';
import type { DatabaseHandle } from '../platform/db.ts';
import { probeTables } from '../platform/db-availability.ts';
import { buildApp } from '../platform/http/app.ts';
import { createMetrics } from '../platform/metrics.ts';
import { createTokenSigner, deriveKey } from '../platform/signing.ts';
import { connectRedis } from '../platform/redis.ts';
import { createIdentityService, publicPerson, type SessionClaims } from '../identity/identity.service.ts';
import { createSimulatedProviders } from '../identity/identity-provider.ts';
import { identityRoutes } from '../identity/identity.routes.ts';
import * as people from '../people/people.repository.ts';
import { createCampaignService } from '../campaigns/campaign.service.ts';
import type { CampaignService } from '../campaigns/campaign.service.ts';
import { openingsOf } from '../eligibility/openings.ts';
import type { SeatSupply } from '../waiting-room/admission-settings.ts';
import { createCampaignRepository } from '../campaigns/campaign.repository.ts';
import { campaignRoutes } from '../campaigns/campaign.routes.ts';
import { findFacilitiesByIds, findFacilityById } from '../facilities/facilities.repository.ts';
import * as slots from '../booking/slot.repository.ts';
import { createBookingService } from '../booking/booking.service.ts';
import { kyselyAvailabilityReads, kyselyBookingStores } from '../booking/kysely-booking-store.ts';
import { newBookingNumber } from '../booking/booking-number.ts';
import { createAdmittedRequests } from '../booking/admitted-request.ts';
import { createAvailabilityService } from '../booking/availability.service.ts';
import { bookingRoutes } from '../booking/booking.routes.ts';
import * as turnNoticeOutbox from '../booking/turn-notice-outbox.repository.ts';
import { createOutboxSender, type MessageChannel } from '../booking/outbox.sender.ts';
import { fileChannel, logChannel } from '../booking/message-channels.ts';
import { createBookingPathMonitor } from '../booking/booking-path-monitor.ts';
import { cachedById, readTogether } from '../booking/row-cache.ts';
import { parseOperatorAccounts } from '../operator/operator-accounts.ts';
import type { OperatorClaims } from '../operator/operator-auth.ts';
import { operatorRoutes } from '../operator/operator.routes.ts';
import { createDashboardService } from '../operator/dashboard.service.ts';
import { createOperatorSessions } from '../operator/operator-sessions.ts';
import { createLoginThrottle } from '../operator/login-throttle.ts';
import { createSharedDashboardHistory } from '../operator/dashboard-history.repository.ts';
import { historyRoutes } from '../operator/history.routes.ts';
import { reviewRoutes } from '../operator/review.routes.ts';
import { createCampaignReviewService } from '../campaigns/campaign-review.service.ts';
import { createAuditService } from '../audit/audit.service.ts';
import { createAuditRepository } from '../audit/audit.repository.ts';
import { auditRoutes } from '../audit/audit.routes.ts';
import { wireWaitingRoom } from '../waiting-room/waiting-room.wiring.ts';
import { turnNoticeRoutes } from '../waiting-room/turn-notice.routes.ts';
import { admissionClaimOf, waitingRoomRoutes } from '../waiting-room/waiting-room.routes.ts';
import { admissionCheck } from '../waiting-room/admission-check.ts';
import { drawRoutes } from '../waiting-room/draw.routes.ts';
import { snapshotRoutes } from '../waiting-room/snapshot.routes.ts';
import { staticRoutes } from '../web/static.routes.ts';
import { capacityRoutes } from '../capacity/capacity.routes.ts';
import { createCapacityService } from '../capacity/capacity.service.ts';
import { readMeasured, readScenarios } from '../capacity/capacity-files.ts';
import { createAgentService } from '../agents/agent.service.ts';
import { createAgentLaneRepository } from '../agents/agent-lane.repository.ts';
import { agentRoutes } from '../agents/agent.routes.ts';
import { defaultWaitingRoomSettings } from '../waiting-room/room.ts';

export interface ComposeOptions {
  config: Config;
  clock: Clock;
  logger: Logger;
  database: DatabaseHandle;
  /** Overrides the outbox channel (tests capture messages). */
  channel?: MessageChannel;
}

export function composeServices(o: ComposeOptions) {
  const { config, clock, database } = o;
  const db = database.db;
  const metrics = createMetrics({ defaultMetrics: true });
  const sessions = createTokenSigner<SessionClaims>(config.signingSecret, 'identity-session', clock);
  // A verification reads the person twice (the simulated provider's name check, then the session's
  // person) and people verify again when a session ends: by identity hash, cached for a minute like
  // findPerson below, and the misses of one loop turn read in one statement. Only hashes are kept.
  const personByHash = cachedById((d: typeof db, h: string) => people.findPersonByIdentityHash(d, h), {
    clock,
    ttlMs: 60_000,
    maxEntries: 200_000,
    loadMany: people.findPeopleByIdentityHashes,
  });
  const findByHash = (h: string) => personByHash(db, h);
  const identity = createIdentityService({
    clock,
    hmacKey: config.identityHmacKey,
    sessions,
    sessionTtlMs: config.identitySessionTtlMs,
    findPerson: findByHash,
    providers: createSimulatedProviders({
      latencyMs: config.identityLatencyMs,
      failureRate: config.identityFailureRate,
      nameOf: async (h) => (await findByHash(h))?.name,
    }),
  });
  const campaignStore = createCampaignRepository(db);
  const countsByBirthDate = () => people.countPeopleByBirthDate(db);
  const campaigns = createCampaignService({ store: campaignStore, clock, countsByBirthDate });
  const audit = createAuditService({ store: createAuditRepository(db), clock });
  const reviews = createCampaignReviewService({
    store: campaignStore,
    clock,
    audit,
    countsByBirthDate,
    onPublished: () => campaigns.invalidate(),
  });
  // Facilities, a slot's place/date/vaccine and a registered person's birth date, name and phone do
  // not change while people book: read once per minute per process. A person is read by eligibility,
  // search and booking in turn: one round trip instead of three.
  const rowCache = { clock, ttlMs: 60_000, maxEntries: 200_000 };
  const findFacility = cachedById(findFacilityById, { ...rowCache, loadMany: findFacilitiesByIds });
  // A booking misses its person and its slot in the same turn: both are read in one statement. A
  // slot's read brings its facility into the facility cache: the booking's next read, one round trip less.
  const peopleAndSlots = readTogether(async (d: typeof db, personIds, slotIds) => {
    if (slotIds.length === 0) return { a: await people.findPeopleByIds(d, personIds), b: new Map() };
    const read =
      personIds.length === 0
        ? { people: new Map(), ...(await slots.findSlotsWithFacilitiesByIds(d, slotIds)) }
        : await slots.findPeopleAndSlotsByIds(d, personIds, slotIds);
    for (const f of read.facilities) findFacility.prime(f.id, f);
    return { a: read.people, b: read.slots };
  });
  const findPerson = cachedById(people.findPersonById, { ...rowCache, loadMany: peopleAndSlots.loadManyA });
  const findSlot = cachedById(slots.findSlot, { ...rowCache, loadMany: peopleAndSlots.loadManyB });
  const channel =
    o.channel ?? (config.outboxChannel === 'file' ? fileChannel(config.outboxFile) : logChannel(o.logger));
  const outboxSender = createOutboxSender({
    db,
    clock,
    channel,
    maxAttempts: config.outboxMaxAttempts,
    claimLeaseMs: config.outboxClaimLeaseMs,
    markEvery: config.outboxMarkEvery,
  });
  const booking = createBookingService({
    clock,
    liveCampaign: campaigns.liveCampaign,
    newBookingNumber,
    resolveProxyTarget: identity.resolveProxyTarget,
    outbox: outboxSender.writers,
    store: kyselyBookingStores({
      db,
      findPerson,
      findFacility,
      findSlot,
      batch: {
        maxSize: config.bookingBatchMax,
        maxInFlight: config.bookingBatchesInFlight,
        onBatch: (n) => metrics.bookingBatchSize.observe(n),
      },
    }),
  });
  const availability = createAvailabilityService({
    clock,
    liveCampaign: campaigns.liveCampaign,
    reads: kyselyAvailabilityReads({ db, findPerson }),
  });
  const findPublicPerson = async (id: number) => {
    const p = await people.findPersonById(db, id);
    return p ? publicPerson(p) : null;
  };
  const monitor = createBookingPathMonitor(clock, metrics);
  const redis = connectRedis(config);
  const waitingRoom = wireWaitingRoom({
    config,
    clock,
    db,
    redis,
    campaigns,
    registry: metrics.registry,
    seats: bookingSeatSupply(clock, campaigns, availability),
    turnNoticeOutbox: {
      writeTurnNotices: (messages, nowMs) => turnNoticeOutbox.writeTurnNotices(db, messages, nowMs),
      turnNoticeCounts: (campaignId, nowMs) => turnNoticeOutbox.turnNoticeCounts(db, campaignId, nowMs),
    },
  });
  // ADMISSION_GATE=off (benchmark only): no admission check and no admission to end, as in 2021.
  const admitted = createAdmittedRequests({
    booking,
    admissions: config.admissionGate
      ? {
          check: admissionCheck(waitingRoom.service),
          end: async (a) => {
            await waitingRoom.service.bookingPlaced(a);
          },
          // The cancel has committed: a queue that cannot be reached must not turn it into a 500.
          // The person then still meets "already booked" in the queue (no retry yet: a known gap).
          reopen: async (a) => {
            await waitingRoom.service.bookingCancelled(a).catch((e: unknown) => {
              o.logger.error({ err: e, campaignId: a.campaignId }, 'queue place not reopened after a cancel');
            });
          },
        }
      : null,
  });
  const dashboard = createDashboardService({
    clock,
    monitor,
    availability,
    queue: {
      status: waitingRoom.queueView,
      etaError: waitingRoom.eta.summary,
      turnNotices: waitingRoom.turnNotices.counts,
    },
    history: createSharedDashboardHistory(db, {
      processId: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
      keepMs: config.dashboardHistoryMs,
      sampleMs: config.dashboardSampleMs,
    }),
  });
  const agents = createAgentService({
    clock,
    identity,
    booking,
    availability,
    audit,
    lane: createAgentLaneRepository(db),
    room: {
      stateOf: (campaignId) => {
        const s = waitingRoom.service.roomStatus(campaignId);
        return s.ok
          ? {
              opensAtMs: s.value.opensAtMs,
              isPaused: s.value.controller.isPaused,
              ratePerSec: s.value.controller.ratePerSec,
            }
          : null;
      },
      noteLaneAdmissions: (campaignId, count) => void waitingRoom.service.noteLaneAdmissions(campaignId, count),
      lookupReference: (campaignId, reference) => waitingRoom.service.lookupReference(campaignId, reference),
    },
    newAdmissionId: randomUUID,
    admissionTtlMs: defaultWaitingRoomSettings.admissionTtlMs,
  });
  return {
    db,
    redis,
    agents,
    metrics,
    identity,
    campaigns,
    reviews,
    audit,
    booking,
    admitted,
    availability,
    outboxSender,
    findPublicPerson,
    monitor,
    dashboard,
    waitingRoom,
  };
}

export type Services = ReturnType<typeof composeServices>;

/**
 * The waiting room's seat port, filled from the booking side: free first-dose seats from the first
 * bookable date on (availability's per-region counts, cached a second), and when more seats open
 * (the campaign's next opening). The waiting room reads it every few seconds, never per poll.
 */
function bookingSeatSupply(
  clock: Clock,
  campaigns: Pick<CampaignService, 'liveCampaign'>,
  availability: Pick<ReturnType<typeof createAvailabilityService>, 'freeSeatsTotal'>,
): SeatSupply {
  return {
    async seatsOf(campaignId) {
      const live = await campaigns.liveCampaign(campaignId);
      const free = await availability.freeSeatsTotal(campaignId);
      if (!live || !free.ok) return null;
      const now = clock.nowMs();
      const next = openingsOf(live.rules).find((o) => o.opensAtMs > now);
      return {
        seatsLeft: Math.max(0, free.value),
        nextSeatsAtMs: next?.opensAtMs ?? null,
      };
    },
  };
}

/** Probes the tables a request may need; a lock on any of them makes the service not ready. */
function watchDatabase(o: ComposeOptions) {
  o.database.availability.watch(
    () =>
      probeTables(o.database.probeDb, [
        'people',
        'campaigns',
        'campaign_versions',
        'facilities',
        'slots',
        'bookings',
        'outbox',
      ]),
    {
      onUnavailable: (e) =>
        o.logger.warn({ err: e }, 'database unavailable: refusing new database work (503) until a probe succeeds'),
      onAvailable: () => o.logger.info('database available again'),
    },
  );
}

export async function composeApp(o: ComposeOptions) {
  const services = composeServices(o);
  const wr = services.waitingRoom.service;
  const operatorSigner = createTokenSigner<OperatorClaims>(o.config.signingSecret, 'operator-session', o.clock);
  const operatorSessions = createOperatorSessions(services.db, o.clock);
  const operatorCsrfKey = deriveKey(o.config.signingSecret, 'operator-csrf');
  const app = await buildApp({
    cookieSecret: Buffer.from(deriveKey(o.config.signingSecret, 'cookies')).toString('base64url'),
    logger: o.logger,
    metrics: services.metrics,
    tlsEnabled: o.config.tlsEnabled,
    // From the probe's last answer: /readyz never waits on a hung database.
    isReady: async () => o.database.availability.isAvailable(),
    database: o.database.availability,
    trustProxy: o.config.trustedProxies,
    plugins: [
      identityRoutes(services.identity, services.findPublicPerson, {
        perIdentityPerMinute: o.config.perIdentityLimits.verifyPerMinute,
        perAddressPerMinute: o.config.perIdentityLimits.verifyPerIpPerMinute,
      }),
      campaignRoutes(services.campaigns, services.availability),
      waitingRoomRoutes({
        identity: services.identity,
        waitingRoom: wr,
        eta: services.waitingRoom.eta,
        secureCookies: o.config.cookieSecure,
        redis: services.redis,
        redisKeyPrefix: o.config.redisKeyPrefix,
        limits: { perIpPerMinute: o.config.queuePerIpPerMinute },
        shedJoins: {
          maxEventLoopDelayMs: o.config.joinShedEventLoopDelayMs,
          maxInFlight: o.config.joinMaxInFlight,
          budgetPerSec: o.config.joinBudgetPerSec,
          maxQueuedMs: o.config.joinMaxQueuedMs,
        },
      }),
      turnNoticeRoutes({ identity: services.identity, turnNotices: services.waitingRoom.turnNotices }),
      drawRoutes(wr),
      snapshotRoutes(wr),
      bookingRoutes({
        identity: services.identity,
        booking: services.booking,
        availability: services.availability,
        monitor: services.monitor,
        admitted: services.admitted,
        admissionClaimOf,
        limits: o.config.perIdentityLimits,
      }),
      operatorRoutes({
        campaigns: services.campaigns,
        dashboard: services.dashboard,
        admission: wr,
        audit: services.audit,
        accounts: parseOperatorAccounts(o.config.operatorAccounts),
        signer: operatorSigner,
        sessions: operatorSessions,
        throttle: createLoginThrottle(services.db, o.clock),
        csrfKey: operatorCsrfKey,
        sessionTtlMs: o.config.operatorSessionTtlMs,
        secureCookies: o.config.cookieSecure,
      }),
      reviewRoutes({
        signer: operatorSigner,
        sessions: operatorSessions,
        csrfKey: operatorCsrfKey,
        secureCookies: o.config.cookieSecure,
        reviews: services.reviews,
      }),
      auditRoutes({ signer: operatorSigner, sessions: operatorSessions, audit: services.audit }),
      agentRoutes({
        signer: operatorSigner,
        sessions: operatorSessions,
        csrfKey: operatorCsrfKey,
        secureCookies: o.config.cookieSecure,
        agents: services.agents,
        audit: services.audit,
      }),
      historyRoutes({ signer: operatorSigner, sessions: operatorSessions, dashboard: services.dashboard }),
      capacityRoutes({
        signer: operatorSigner,
        sessions: operatorSessions,
        capacity: createCapacityService({
          liveRules: async (id) => (await services.campaigns.liveCampaign(id))?.rules,
          countsByBirthDate: () => people.countPeopleByBirthDate(services.db),
          scenarios: () => readScenarios(o.config.capacityScenariosDir),
          measured: () => readMeasured(o.config.capacityBenchFiles),
          service: {
            admissionMaxRatePerSec: o.config.admissionMaxRatePerSec,
            activeSessionCap: o.config.activeSessionCap,
            partitions: o.config.waitingRoomPartitions,
          },
          clock: o.clock,
        }),
      }),
      staticRoutes(o.config.webDir),
    ],
  });
  await services.waitingRoom.syncRooms();
  app.addHook('onReady', async () => watchDatabase(o));
  app.addHook('onClose', async () => {
    o.database.availability.stop();
    await services.waitingRoom.close();
  });
  return { app, services };
}
