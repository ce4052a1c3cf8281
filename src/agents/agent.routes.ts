/**
 * The call-centre agent's routes (role `agent` only: no citizen session and no staff role opens
 * them), and the operator's setting of a campaign's phone-lane quota. One service call per route;
 * state changes run CSRF after the role check, as the console's other routes do.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { replies } from '../platform/http/problem.schemas.ts';
import { sendProblem, sendResult, type ProblemReason } from '../platform/http/errors.ts';
import type { Result } from '../platform/result.ts';
import { limitBy, registerLimits } from '../platform/http/rate-limits.ts';
import type { TokenSigner } from '../platform/signing.ts';
import { registerOperatorAuth, requireOperator, type OperatorClaims } from '../operator/operator-auth.ts';
import type { OperatorSessions } from '../operator/operator-sessions.ts';
import {
  BookingParams,
  BookingViewSchema,
  ChangeBody,
  EligibilitySchema,
  MyBookingsSchema,
  SlotFullReply,
  SlotQuery,
  SlotSearchSchema,
  slotSearchOf,
} from '../booking/booking.schemas.ts';
import { ReferenceLookupSchema, ReferenceParams } from '../operator/operator.schemas.ts';
import { referenceLookupWire, referenceProblem } from '../operator/reference-lookup.ts';
import type { AgentService } from './agent.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { AuditList } from '../audit/audit.schemas.ts';
import {
  AgentBookingHeaders,
  AgentPlaceBody,
  CallerHeaders,
  CallerVerifiedSchema,
  CallerVerifyBody,
  CampaignParams,
  LaneQuotaBody,
  LaneStatusSchema,
} from './agent.schemas.ts';

export interface AgentRoutesDeps {
  signer: TokenSigner<OperatorClaims>;
  sessions: OperatorSessions;
  csrfKey: Uint8Array;
  secureCookies: boolean;
  agents: AgentService;
  /** The agent's own trail, shown on the agent page. */
  audit: Pick<AuditService, 'list'>;
  /** Caller verifications per agent per minute (a call takes minutes; this stops a script, not a person). */
  verifyPerAgentPerMinute?: number;
}

/** A refusal with a wait (a full lane) also says when to ask again, as every other 429 does. */
function sendAgentResult<T>(reply: FastifyReply, r: Result<T, ProblemReason>, okStatus = 200) {
  const wait = r.ok ? undefined : r.detail?.retryAfterSec;
  if (typeof wait === 'number') reply.header('retry-after', String(wait));
  return sendResult(reply, r, okStatus);
}

export function agentRoutes(d: AgentRoutesDeps) {
  return async (app: FastifyInstance) => {
    await registerOperatorAuth(app, { secureCookies: d.secureCookies, csrfKey: d.csrfKey });
    await registerLimits(app);
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    const agentReads = requireOperator(d.signer, d.sessions, 'agent');
    const agentWrites = [agentReads, app.csrfProtection];
    const verifies = limitBy(app, 'agent-verify', d.verifyPerAgentPerMinute ?? 30, (req) => req.operator!.username);
    const operatorReads = requireOperator(d.signer, d.sessions, 'viewer');
    const operatorWrites = [requireOperator(d.signer, d.sessions, 'operator'), app.csrfProtection];
    const tags = ['agent'];
    const agent = (req: { operator?: { username: string } }) => req.operator!.username;

    r.post(
      '/api/agent/callers/verify',
      {
        schema: {
          tags,
          summary: "Verify a caller through an identity provider (the citizen's port); returns the caller's session",
          body: CallerVerifyBody,
          response: replies({ 200: CallerVerifiedSchema }),
        },
        preHandler: [...agentWrites, verifies],
      },
      async (req, reply) => sendResult(reply, await d.agents.verifyCaller(agent(req), req.body)),
    );
    r.get(
      '/api/agent/audit',
      {
        schema: {
          tags,
          summary: "This agent's own audit entries, newest first",
          response: replies({ 200: AuditList }),
        },
        preHandler: agentReads,
      },
      async (req) => ({ entries: await d.audit.list({ actor: agent(req), limit: 30 }) }),
    );
    r.get(
      '/api/agent/campaigns/:campaignId/lane',
      {
        schema: {
          tags,
          summary: "The phone lane's quota and use",
          params: CampaignParams,
          response: replies({ 200: LaneStatusSchema }),
        },
        preHandler: agentReads,
      },
      async (req) => d.agents.laneStatus(req.params.campaignId),
    );
    r.get(
      '/api/agent/campaigns/:campaignId/queue/references/:reference',
      {
        schema: {
          tags,
          summary: 'Where the queue place a caller reads out stands (the reference on their waiting page); audited',
          params: ReferenceParams,
          response: replies({ 200: ReferenceLookupSchema }),
        },
        preHandler: agentReads,
      },
      async (req, reply) => {
        const { campaignId, reference } = req.params;
        const found = await d.agents.lookupReference(agent(req), campaignId, reference);
        return found.ok
          ? referenceLookupWire(campaignId, found.value)
          : sendProblem(reply, referenceProblem(found.reason));
      },
    );
    r.get(
      '/api/agent/campaigns/:campaignId/eligibility',
      {
        schema: { tags, params: CampaignParams, headers: CallerHeaders, response: replies({ 200: EligibilitySchema }) },
        preHandler: agentReads,
      },
      async (req, reply) =>
        sendResult(reply, await d.agents.eligibility(req.headers['x-caller-session'], req.params.campaignId)),
    );
    r.get(
      '/api/agent/campaigns/:campaignId/slots',
      {
        schema: {
          tags,
          params: CampaignParams,
          headers: CallerHeaders,
          querystring: SlotQuery,
          response: replies({ 200: SlotSearchSchema }),
        },
        preHandler: agentReads,
      },
      async (req, reply) =>
        sendResult(
          reply,
          await d.agents.slots(req.headers['x-caller-session'], req.params.campaignId, slotSearchOf(req.query)),
        ),
    );
    r.post(
      '/api/agent/campaigns/:campaignId/bookings',
      {
        schema: {
          tags,
          summary: 'Book for the verified caller through the phone lane',
          params: CampaignParams,
          headers: AgentBookingHeaders,
          body: AgentPlaceBody,
          response: { ...replies({ 201: BookingViewSchema }), 409: SlotFullReply },
        },
        preHandler: agentWrites,
      },
      async (req, reply) =>
        sendAgentResult(
          reply,
          await d.agents.placeBooking(agent(req), req.headers['x-caller-session'], {
            campaignId: req.params.campaignId,
            slotId: req.body.slotId,
            earliestAt: req.body.earliestAt,
            idempotencyKey: req.headers['idempotency-key'],
          }),
          201,
        ),
    );
    r.get(
      '/api/agent/bookings',
      {
        schema: { tags, headers: CallerHeaders, response: replies({ 200: MyBookingsSchema }) },
        preHandler: agentReads,
      },
      async (req, reply) => sendResult(reply, await d.agents.callerBookings(req.headers['x-caller-session'])),
    );
    r.get(
      '/api/agent/bookings/:bookingNumber/slots',
      {
        schema: {
          tags,
          params: BookingParams,
          headers: CallerHeaders,
          querystring: SlotQuery,
          response: replies({ 200: SlotSearchSchema }),
        },
        preHandler: agentReads,
      },
      async (req, reply) =>
        sendResult(
          reply,
          await d.agents.changeOptions(
            req.headers['x-caller-session'],
            req.params.bookingNumber,
            slotSearchOf(req.query),
          ),
        ),
    );
    r.patch(
      '/api/agent/bookings/:bookingNumber',
      {
        schema: {
          tags,
          params: BookingParams,
          headers: CallerHeaders,
          body: ChangeBody,
          response: replies({ 200: BookingViewSchema }),
        },
        preHandler: agentWrites,
      },
      async (req, reply) =>
        sendResult(
          reply,
          await d.agents.changeBooking(
            agent(req),
            req.headers['x-caller-session'],
            req.params.bookingNumber,
            req.body.slotId,
          ),
        ),
    );
    r.delete(
      '/api/agent/bookings/:bookingNumber',
      {
        schema: { tags, params: BookingParams, headers: CallerHeaders, response: replies({ 200: BookingViewSchema }) },
        preHandler: agentWrites,
      },
      async (req, reply) =>
        sendResult(
          reply,
          await d.agents.cancelBooking(agent(req), req.headers['x-caller-session'], req.params.bookingNumber),
        ),
    );

    r.get(
      '/api/operator/campaigns/:campaignId/agent-lane',
      {
        schema: {
          tags: ['operator'],
          summary: "A campaign's phone-lane quota and use",
          params: CampaignParams,
          response: replies({ 200: LaneStatusSchema }),
        },
        preHandler: operatorReads,
      },
      async (req) => d.agents.laneStatus(req.params.campaignId),
    );
    r.put(
      '/api/operator/campaigns/:campaignId/agent-lane',
      {
        schema: {
          tags: ['operator'],
          summary: "Set the share of the campaign's admission rate the phone lane may use (0 closes it)",
          params: CampaignParams,
          body: LaneQuotaBody,
          response: replies({ 200: LaneStatusSchema }),
        },
        preHandler: operatorWrites,
      },
      async (req, reply) =>
        sendResult(reply, await d.agents.setLaneQuota(agent(req), req.params.campaignId, req.body.sharePercent)),
    );
  };
}
