import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sendProblem, sendResult, type ProblemReason } from '../platform/http/errors.ts';
import type { AdmissionClaim } from '../waiting-room/admission-check.ts';
import type { Admitted, AdmittedRequests } from './admitted-request.ts';
import { ok } from '../platform/result.ts';
import type { IdentityService } from '../identity/identity.service.ts';
import { requireSession, sessionOf } from '../identity/session-auth.ts';
import type { AvailabilityService } from './availability.service.ts';
import type { BookingService } from './booking.service.ts';
import type { BookingPathMonitor } from './booking-path-monitor.ts';
import type { Result } from '../platform/result.ts';
import { replies } from '../platform/http/problem.schemas.ts';
import { limitBy, registerLimits } from '../platform/http/rate-limits.ts';
import {
  BookingParams,
  BookingViewSchema,
  CampaignParams,
  ChangeBody,
  EligibilitySchema,
  IdempotencyHeaders,
  MyBookingsSchema,
  PlaceBody,
  SlotFullReply,
  SlotQuery,
  SlotSearchSchema,
  slotSearchOf,
} from './booking.schemas.ts';

export interface BookingRoutesDeps {
  identity: IdentityService;
  booking: BookingService;
  availability: AvailabilityService;
  monitor: BookingPathMonitor;
  /** Eligibility, slot search and booking run as admitted requests (the waiting room's admission check). */
  admitted: AdmittedRequests;
  /** What a request claims its admission is (token header, session, device cookie): the waiting room reads it. */
  admissionClaimOf(request: FastifyRequest): AdmissionClaim;
  /** Requests per minute per identity (defaults: BOOKING_LIMITS). */
  limits?: Partial<typeof BOOKING_LIMITS>;
}

/**
 * The routes that run as admitted requests: the only ones the admission controller's signal reads.
 * Their 2xx passed the admission check; their 5xx come from admitted work (a refused claim is a 4xx,
 * and the check reads the store only for a token that verified); 4xx are left out by the monitor.
 */
const ADMITTED_ROUTES = new Set([
  'GET /api/campaigns/:campaignId/eligibility',
  'GET /api/campaigns/:campaignId/slots',
  'POST /api/campaigns/:campaignId/bookings',
]);

/** A gate refusal as its problem, else the service's answer. */
function sendAdmitted<T>(reply: FastifyReply, r: Admitted<T, ProblemReason>, okStatus = 200) {
  return r.ok ? sendResult(reply, r.value, okStatus) : sendProblem(reply, r.reason, r.detail ?? {});
}

/**
 * Per-identity allowances, counted in each process's memory. None of these routes needs an
 * admission, so without them one person could hammer the database (a change storm fed the
 * admission controller 500s). Far above what a person does by hand: a search a second, a change
 * or cancel every six seconds.
 */
export const BOOKING_LIMITS = { searchPerMinute: 60, lookupPerMinute: 60, changePerMinute: 10, cancelPerMinute: 10 };

export function bookingRoutes(d: BookingRoutesDeps) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    const auth = requireSession(d.identity);
    await registerLimits(app);
    const limits = { ...BOOKING_LIMITS, ...d.limits };
    const perIdentity = (name: string, max: number) => limitBy(app, name, max, (req) => sessionOf(req).identityHash);
    const searches = perIdentity('slot-search', limits.searchPerMinute);
    const lookups = perIdentity('booking-lookup', limits.lookupPerMinute);
    const changes = perIdentity('booking-change', limits.changePerMinute);
    const cancels = perIdentity('booking-cancel', limits.cancelPerMinute);
    const security = [{ session: [] }];
    // Each route gets its recorder when it is registered, with whether it is admitted work bound then:
    // a hook for the whole plugin read `request.routeOptions` (a getter that builds a dozen-field
    // object), built a "METHOD url" string and ran as a promise, on every booking.
    app.addHook('onRoute', (route) => {
      const isAdmitted = [route.method].flat().some((m) => ADMITTED_ROUTES.has(`${m} ${route.url}`));
      const hook = isAdmitted ? recordAdmittedAnswer : recordAnswer;
      route.onResponse = route.onResponse ? [...[route.onResponse].flat(), hook] : [hook];
    });
    const recordAnswer = (_req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
      d.monitor.recordRequest(reply.elapsedTime, reply.statusCode);
      done();
    };
    // The admission controller's signal: admitted work only, per identity (booking-path-monitor.ts).
    const recordAdmittedAnswer = (req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
      const ms = reply.elapsedTime;
      d.monitor.recordRequest(ms, reply.statusCode);
      if (req.session) d.monitor.recordAdmitted(req.session.identityHash, ms, reply.statusCode);
      done();
    };
    const counted = <T, R extends string>(action: 'place' | 'change' | 'cancel', r: Result<T, R>): Result<T, R> => {
      d.monitor.recordBooking(action, r.ok ? (action === 'place' ? 'placed' : 'done') : r.reason);
      return r;
    };

    r.get(
      '/api/campaigns/:campaignId/eligibility',
      {
        schema: { tags: ['booking'], security, params: CampaignParams, response: replies({ 200: EligibilitySchema }) },
        preHandler: auth,
      },
      async (req, reply) =>
        sendAdmitted(
          reply,
          await d.admitted.run(d.admissionClaimOf(req), () =>
            d.availability.eligibilityOf(sessionOf(req).personId, req.params.campaignId),
          ),
        ),
    );
    r.get(
      '/api/campaigns/:campaignId/slots',
      {
        schema: {
          tags: ['booking'],
          security,
          params: CampaignParams,
          querystring: SlotQuery,
          response: replies({ 200: SlotSearchSchema }),
        },
        preHandler: [auth, searches],
      },
      async (req, reply) =>
        sendAdmitted(
          reply,
          await d.admitted.run(d.admissionClaimOf(req), () =>
            d.availability.openSlotsFor(sessionOf(req).personId, req.params.campaignId, slotSearchOf(req.query)),
          ),
        ),
    );
    r.post(
      '/api/campaigns/:campaignId/bookings',
      {
        schema: {
          tags: ['booking'],
          security,
          params: CampaignParams,
          body: PlaceBody,
          headers: IdempotencyHeaders,
          response: { ...replies({ 201: BookingViewSchema }), 409: SlotFullReply },
        },
        preHandler: auth,
      },
      async (req, reply) => {
        const seat = req.body.earliestAt ? { earliestAt: req.body.earliestAt } : { slotId: req.body.slotId };
        const placed = await d.admitted.placeBooking(d.admissionClaimOf(req), {
          requesterId: sessionOf(req).personId,
          campaignId: req.params.campaignId,
          ...seat,
          idempotencyKey: req.headers['idempotency-key'],
          forPerson: req.body.forPerson,
        });
        if (placed.ok) counted('place', placed.value);
        return sendAdmitted(reply, placed, 201);
      },
    );
    r.get(
      '/api/bookings',
      {
        schema: { tags: ['booking'], security, response: replies({ 200: MyBookingsSchema }) },
        preHandler: [auth, lookups],
      },
      async (req, reply) => sendResult(reply, ok({ bookings: await d.booking.myBookings(sessionOf(req).personId) })),
    );
    r.get(
      '/api/bookings/:bookingNumber',
      {
        schema: { tags: ['booking'], security, params: BookingParams, response: replies({ 200: BookingViewSchema }) },
        preHandler: [auth, lookups],
      },
      async (req, reply) =>
        sendResult(reply, await d.booking.getBooking(sessionOf(req).personId, req.params.bookingNumber)),
    );
    r.get(
      '/api/bookings/:bookingNumber/slots',
      {
        schema: {
          tags: ['booking'],
          security,
          params: BookingParams,
          querystring: SlotQuery,
          response: replies({ 200: SlotSearchSchema }),
          summary: 'Slots this booking can be changed to',
        },
        preHandler: [auth, searches],
      },
      async (req, reply) =>
        sendResult(
          reply,
          await d.availability.changeOptionsFor(
            sessionOf(req).personId,
            req.params.bookingNumber,
            slotSearchOf(req.query),
          ),
        ),
    );
    r.patch(
      '/api/bookings/:bookingNumber',
      {
        schema: {
          tags: ['booking'],
          security,
          params: BookingParams,
          body: ChangeBody,
          response: replies({ 200: BookingViewSchema }),
        },
        preHandler: [auth, changes],
      },
      async (req, reply) =>
        sendResult(
          reply,
          counted(
            'change',
            await d.booking.changeBooking({
              requesterId: sessionOf(req).personId,
              bookingNumber: req.params.bookingNumber,
              slotId: req.body.slotId,
            }),
          ),
        ),
    );
    r.delete(
      '/api/bookings/:bookingNumber',
      {
        schema: { tags: ['booking'], security, params: BookingParams, response: replies({ 200: BookingViewSchema }) },
        preHandler: [auth, cancels],
      },
      async (req, reply) =>
        sendResult(
          reply,
          counted(
            'cancel',
            await d.admitted.cancelBooking(sessionOf(req), {
              requesterId: sessionOf(req).personId,
              bookingNumber: req.params.bookingNumber,
            }),
          ),
        ),
    );
  };
}
