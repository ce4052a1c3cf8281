/**
 * The waiting room over HTTP. A verified identity joins with its device; the device id is then
 * kept in an http-only cookie, and the signed ticket travels in `x-queue-ticket`. Polls are
 * answered from memory (see the service). Join and poll are rate-limited per identity and per IP:
 * the join's per-identity count is kept by the store in the join itself (settings.joinLimit), the
 * others here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { randomInt } from 'node:crypto';
import type { RedisClient } from '../platform/redis.ts';
import { QUEUE_REFUSALS, problemBody, sendProblem, sendResult } from '../platform/http/errors.ts';
import { ok } from '../platform/result.ts';
import type { IdentityService } from '../identity/identity.service.ts';
import { requireSession, sessionOf } from '../identity/session-auth.ts';
import type { QueueStatus, StatusReply, WaitingRoomService } from './waiting-room.service.ts';
import type { EtaTracker } from './eta-tracker.ts';
import { rateLimitNamespace } from './keys.ts';
import type { AdmissionClaim } from './admission-check.ts';
import { replies } from '../platform/http/problem.schemas.ts';
import { limitBy, registerLimits } from '../platform/http/rate-limits.ts';
import { REFUSAL_HEADERS } from '../platform/http/security-headers.ts';
import {
  CampaignParams,
  JoinBody,
  JoinedSchema,
  LeftSchema,
  PolledSchema,
  TicketHeaders,
  type QueueStatusWire,
} from './waiting-room.schemas.ts';
import { createJoinBudget, queuedMs } from './join-budget.ts';
import { watchJoinPressure } from './join-pressure.ts';

export const DEVICE_COOKIE = 'yeyak_dev';

export interface WaitingRoomRoutesDeps {
  identity: IdentityService;
  waitingRoom: WaitingRoomService;
  eta: EtaTracker;
  secureCookies: boolean;
  /** Shared rate-limit counters across processes when set; per process otherwise. */
  redis: RedisClient | null;
  /** The deployment's Redis key prefix (the counters' namespace comes from keys.ts). */
  redisKeyPrefix: string;
  /** Per-identity join limit: the waiting room's settings.joinLimit (counted by the store). */
  limits?: { pollPerMinute?: number; perIpPerMinute?: number };
  /**
   * When this process is overloaded, joins are turned away at once (429 queue-busy, Retry-After)
   * so that polls — which tell admitted people to go and book — keep being answered. Measured by
   * join-pressure.ts: mean event-loop delay over `maxEventLoopDelayMs` (0: never), or
   * `healthCheck` answering false (checked every second).
   */
  shedJoins?: {
    maxEventLoopDelayMs: number;
    healthCheck?: () => Promise<boolean>;
    maxInFlight?: number;
    budgetPerSec?: number;
    /** A join that waited longer than this between the edge and this process is refused at once (0: never). */
    maxQueuedMs?: number;
  };
}

/**
 * The device id from the signed device cookie, or undefined when it is absent or its signature does
 * not verify (a forged or pre-signing cookie: the client joins again and gets its place back).
 */
export function deviceOf(request: FastifyRequest): string | undefined {
  const raw = request.cookies?.[DEVICE_COOKIE];
  if (!raw) return undefined;
  const v = request.unsignCookie(raw);
  return v.valid && v.value !== null ? v.value : undefined;
}

/**
 * Polls only: the device id as the cookie states it, signature not checked. A poll is bound by the
 * ticket's HMAC and the session's identity (a copied ticket polled from another session is refused
 * 'other-identity'), so the cookie's own HMAC would add a second crypto operation to the hottest
 * path and no protection. Device ids never contain '.', the separator of a signed value.
 */
function statedDeviceOf(request: FastifyRequest): string | undefined {
  const raw = request.cookies?.[DEVICE_COOKIE];
  if (!raw) return undefined;
  const dot = raw.lastIndexOf('.');
  return dot < 0 ? raw : raw.slice(0, dot);
}

/** What a device id looks like: the join body's pattern (a stated cookie is the client's word as the body is). */
const DEVICE_ID = new RegExp(JoinBody.properties.deviceId.pattern!);

/**
 * Joins only: the device the cookie states when it is a well-formed device id, signature not checked.
 * On a join the device is the client's word either way — the body's `deviceId` is whatever the page
 * sends (the page keeps it in localStorage, and every ticket shows it), and a join signs the device
 * cookie for whatever id it joined with — so checking the cookie's HMAC here adds a crypto operation
 * to every re-join and no protection. One device per person is kept by the store (the first device
 * holding a place wins, others are refused and locked out) and by tickets and admissions bound to
 * the device and the session's identity; the signed cookie still travels for leave and the
 * admission check, which verify it.
 */
function claimedDeviceOf(request: FastifyRequest): string | undefined {
  const stated = statedDeviceOf(request);
  return stated !== undefined && DEVICE_ID.test(stated) ? stated : undefined;
}

/**
 * The device cookie's attributes after its value, rendered once, in the order @fastify/cookie's
 * serializer writes them: a week, the whole site, http-only, SameSite=Strict, Secure over TLS. Its
 * signed value needs no encoding (the id is [A-Za-z0-9_-], the signature base64 and '.', all
 * cookie-octets); reply.setCookie would build an options object, a Map entry and run the
 * serializer's checks on every join.
 */
function deviceCookieAttributesOf(secure: boolean): string {
  return `; Max-Age=${7 * 24 * 3600}; Path=/; HttpOnly${secure ? '; Secure' : ''}; SameSite=Strict`;
}

/** Rendered once: a refusal under overload should cost as little as the answer it replaces. */
const BUSY_BODY = JSON.stringify(problemBody('queue-busy'));

/** A refusal under overload. The Retry-After is spread over 5-15 s so turned-away people do not all come back in the same second. */
function busy(reply: FastifyReply) {
  reply
    .code(429)
    .headers(REFUSAL_HEADERS)
    .header('retry-after', 5 + randomInt(11));
  return BUSY_BODY;
}

/**
 * At most `max` joins and leaves of this process in flight; one more is turned away at
 * once, before it costs a Redis call. It bounds the work in progress whatever is slow — this
 * process's CPU or the Redis it waits on, which the event-loop signal does not see — so a surge is
 * answered 429 now instead of queued until the answer comes after the person gave up.
 */
function inFlightCap(max: number) {
  let inFlight = 0;
  const counted = new WeakSet<FastifyRequest>();
  // Callback style: async hooks cost every join two promises and two microtask turns.
  const release = (req: FastifyRequest) => {
    if (counted.delete(req)) inFlight -= 1;
  };
  return {
    onRequest: (req: FastifyRequest, reply: FastifyReply, next: () => void): void => {
      if (inFlight >= max) {
        reply.send(busy(reply));
        return;
      }
      inFlight += 1;
      counted.add(req);
      next();
    },
    onResponse: (req: FastifyRequest, _reply: FastifyReply, next: () => void): void => {
      release(req);
      next();
    },
    onRequestAbort: (req: FastifyRequest, next: () => void): void => {
      release(req);
      next();
    },
  };
}

export function waitingRoomRoutes(d: WaitingRoomRoutesDeps) {
  const tags = ['waiting-room'];
  const security = [{ session: [] }];
  const auth = requireSession(d.identity);
  const limits = {
    perIp: d.limits?.perIpPerMinute ?? 6_000,
    polls: d.limits?.pollPerMinute ?? 120,
  };

  const deviceCookieAttributes = deviceCookieAttributesOf(d.secureCookies);

  /** Join and leave write to the store anyway: their counters are shared through Redis when there is one. */
  async function joinAndLeave(app: FastifyInstance) {
    if (d.shedJoins && (d.shedJoins.maxEventLoopDelayMs > 0 || d.shedJoins.healthCheck)) {
      const pressure = await watchJoinPressure({
        maxEventLoopDelayMs: d.shedJoins.maxEventLoopDelayMs,
        ...(d.shedJoins.healthCheck ? { healthCheck: d.shedJoins.healthCheck } : {}),
        onHealthCheckError: (e) => app.log.error({ err: e }, 'join health check failed; joins are turned away'),
      });
      app.addHook('onClose', (_app, done) => {
        pressure.close();
        done();
      });
      // Callback style, one boolean read: under-pressure's hook built request.routeOptions per join.
      app.addHook('onRequest', (_req, reply, done) => {
        if (pressure.isUnderPressure()) reply.send(busy(reply));
        else done();
      });
    }
    const maxInFlight = d.shedJoins?.maxInFlight ?? 0;
    if (maxInFlight > 0) {
      const cap = inFlightCap(maxInFlight);
      app.addHook('onRequest', cap.onRequest);
      app.addHook('onResponse', cap.onResponse);
      app.addHook('onRequestAbort', cap.onRequestAbort);
    }
    await registerLimits(app, { redis: d.redis, nameSpace: rateLimitNamespace(d.redisKeyPrefix) });
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    const perIp = limitBy(app, 'ip', limits.perIp, (req) => req.ip);
    const budget = d.shedJoins?.budgetPerSec
      ? createJoinBudget({ perSec: d.shedJoins.budgetPerSec, nowMs: () => performance.now() })
      : null;
    const maxQueuedMs = d.shedJoins?.maxQueuedMs ?? 0;
    // Waited too long before this process read it, or over the process's join budget: refused
    // before the per-IP counter (a Redis call), the body or the session. A late join takes no budget.
    // Callback style: an async hook costs every join a promise and a microtask turn.
    const withinBudget = (req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
      const isLate = maxQueuedMs > 0 && (queuedMs(req.headers['x-request-start'], Date.now()) ?? 0) > maxQueuedMs;
      if (isLate || (budget && !budget.tryTake())) reply.send(busy(reply));
      else done();
    };

    r.post(
      '/api/campaigns/:campaignId/queue',
      {
        schema: {
          tags,
          security,
          params: CampaignParams,
          body: JoinBody,
          response: replies({ 200: JoinedSchema }),
          summary: 'Join the queue (or get your place back)',
        },
        onRequest: [withinBudget, perIp],
        preHandler: auth,
      },
      async (req, reply) => {
        const deviceId = claimedDeviceOf(req) ?? req.body.deviceId;
        const { identityHash, verification } = sessionOf(req);
        const joined = await d.waitingRoom.joinQueue({
          campaignId: req.params.campaignId,
          identityHash,
          deviceId,
          ...(verification ? { verification } : {}),
        });
        if (!joined.ok) {
          // Over the identity's join limit: the same answer as every other rate limit (rate-limits.ts).
          if (joined.reason === 'too-many-joins')
            return sendProblem(
              reply.header('retry-after', Math.max(1, Math.ceil(Number(joined.detail?.retryAfterMs) / 1000))),
              QUEUE_REFUSALS[joined.reason],
            );
          return sendProblem(reply, QUEUE_REFUSALS[joined.reason], joined.detail ?? {});
        }
        reply.header('set-cookie', `${DEVICE_COOKIE}=${reply.signCookie(deviceId)}${deviceCookieAttributes}`);
        return {
          ticket: joined.value.ticket,
          status: render(req.params.campaignId, sessionOf(req).identityHash, joined.value),
        };
      },
    );

    r.delete(
      '/api/campaigns/:campaignId/queue',
      {
        schema: {
          tags,
          security,
          params: CampaignParams,
          headers: TicketHeaders,
          response: replies({ 200: LeftSchema }),
          summary: 'Give up your place',
        },
        onRequest: perIp,
        preHandler: auth,
      },
      async (req, reply) => {
        const left = await d.waitingRoom.leaveQueue({
          campaignId: req.params.campaignId,
          ticket: req.headers['x-queue-ticket'],
          deviceId: deviceOf(req) ?? '',
          identityHash: sessionOf(req).identityHash,
        });
        return left.ok ? sendResult(reply, ok({ left: true })) : sendProblem(reply, QUEUE_REFUSALS[left.reason]);
      },
    );
  }

  /**
   * Polls are answered from memory, so their limits are kept in memory too (per process): a poll
   * costs no Redis. A client spreading polls over N processes gets at most N times the allowance
   * of an answer that is the same for everyone for a second.
   */
  async function polls(app: FastifyInstance) {
    await registerLimits(app);
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    const perIp = limitBy(app, 'ip', limits.perIp, (req) => req.ip);
    const pollsPerIdentity = limitBy(app, 'poll', limits.polls, (req) => sessionOf(req).identityHash);

    r.get(
      '/api/campaigns/:campaignId/queue/status',
      {
        schema: {
          tags,
          security,
          params: CampaignParams,
          headers: TicketHeaders,
          response: replies({ 200: PolledSchema }),
          summary: 'Your position, ETA band and when to ask again',
        },
        onRequest: perIp,
        preHandler: [auth, pollsPerIdentity],
      },
      async (req, reply) => {
        const deviceId = statedDeviceOf(req);
        if (!deviceId) return sendProblem(reply, 'device-required');
        const { identityHash, verification } = sessionOf(req);
        const polled = await d.waitingRoom.pollStatus({
          campaignId: req.params.campaignId,
          ticket: req.headers['x-queue-ticket'],
          deviceId,
          identityHash,
          ...(verification ? { verification } : {}),
        });
        if (!polled.ok) return sendProblem(reply, QUEUE_REFUSALS[polled.reason]);
        return {
          ticket: polled.value.ticket ?? req.headers['x-queue-ticket'],
          ...render(req.params.campaignId, identityHash, polled.value),
        };
      },
    );
  }

  // Two scopes, each with its own limiter store (the plugin's decorators are per scope).
  return async (app: FastifyInstance) => {
    await app.register(joinAndLeave);
    await app.register(polls);
  };

  /** The wire shape of a status (seconds for people, ms for timers), recording ETA promises and admissions. */
  function render(campaignId: string, identityHash: string, reply: StatusReply): QueueStatusWire {
    const s: QueueStatus = reply.status;
    if (s.kind === 'pre-room') {
      return {
        state: 'pre-opening',
        opensAt: new Date(s.opensAtMs).toISOString(),
        preRoomSize: s.preRoomSize,
        position: null,
        ahead: null,
        behind: null,
        eta: null,
        progress: null,
        nextPollMs: s.nextPollMs,
      };
    }
    if (s.kind === 'admitted') {
      d.eta.admitted(campaignId, identityHash);
      return {
        state: 'admitted',
        position: 0,
        ahead: 0,
        behind: null,
        eta: null,
        progress: 1,
        nextPollMs: null,
        admission: { token: s.admissionToken, expiresAt: new Date(s.expiresAtMs).toISOString() },
      };
    }
    if (s.eta) d.eta.shown(campaignId, identityHash, s.eta.expectedMs);
    const eta = s.eta && {
      seconds: Math.round(s.eta.expectedMs / 1000),
      lowSeconds: Math.round(s.eta.lowMs / 1000),
      highSeconds: s.eta.highMs === null ? null : Math.round(s.eta.highMs / 1000),
      isFromPlan: s.eta.isFromPlan,
    };
    return {
      state: 'waiting',
      position: s.position,
      ahead: s.ahead,
      behind: s.behind,
      isEstimate: s.isEstimate,
      eta,
      progress: s.progress,
      reference: s.reference,
      nextPollMs: s.nextPollMs,
    };
  }
}

/**
 * What a request claims its admission is (checked by admission-check.ts for every eligibility, slot
 * and booking route): its campaign, `x-admission-token` header, session and device cookie.
 */
export function admissionClaimOf(request: FastifyRequest): AdmissionClaim {
  const token = request.headers['x-admission-token'];
  return {
    campaignId: (request.params as { campaignId?: string }).campaignId ?? '',
    token: typeof token === 'string' ? token : undefined,
    identityHash: sessionOf(request).identityHash,
    deviceId: deviceOf(request),
  };
}
