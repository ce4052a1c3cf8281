/**
 * Reviewed rule changes over HTTP: submit a version (operator), read its impact against the live
 * version (anyone signed in), approve it (approver, never its author), publish it now or at an
 * instant (operator), withdraw it (operator). One service call per route.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { replies } from '../platform/http/problem.schemas.ts';
import { sendProblem, sendResult } from '../platform/http/errors.ts';
import type { TokenSigner } from '../platform/signing.ts';
import type { CampaignReviewService } from '../campaigns/campaign-review.service.ts';
import { registerOperatorAuth, requireOperator, type OperatorClaims } from './operator-auth.ts';
import type { OperatorSessions } from './operator-sessions.ts';
import {
  ImpactSchema,
  PublishBody,
  ReviewList,
  ReviewListQuery,
  ReviewParams,
  ReviewSchema,
  SubmitBody,
} from './review.schemas.ts';

export interface ReviewRoutesDeps {
  signer: TokenSigner<OperatorClaims>;
  sessions: OperatorSessions;
  /** The key binding CSRF tokens to their session (the same as the console's other routes). */
  csrfKey: Uint8Array;
  secureCookies: boolean;
  reviews: CampaignReviewService;
}

export function reviewRoutes(d: ReviewRoutesDeps) {
  return async (app: FastifyInstance) => {
    await registerOperatorAuth(app, { secureCookies: d.secureCookies, csrfKey: d.csrfKey });
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    const viewer = requireOperator(d.signer, d.sessions, 'viewer');
    // The CSRF check reads the session the role check sets, so it runs after it.
    const operator = [requireOperator(d.signer, d.sessions, 'operator'), app.csrfProtection];
    const approver = [requireOperator(d.signer, d.sessions, 'approver'), app.csrfProtection];
    const tags = ['operator'];
    const who = (req: { operator?: { username: string } }) => req.operator!.username;

    r.post(
      '/api/operator/campaigns',
      {
        schema: {
          tags,
          summary: 'Store the next version of a campaign, pending review (it does not go live)',
          body: SubmitBody,
          response: replies({ 201: ReviewSchema }),
        },
        preHandler: operator,
      },
      async (req, reply) => sendResult(reply, await d.reviews.submit(req.body.rules, who(req)), 201),
    );

    r.get(
      '/api/operator/reviews',
      { schema: { tags, querystring: ReviewListQuery, response: replies({ 200: ReviewList }) }, preHandler: viewer },
      async (req) => ({ reviews: await d.reviews.list(req.query.campaignId) }),
    );

    r.get(
      '/api/operator/reviews/:campaignId/:version/impact',
      {
        schema: {
          tags,
          summary: 'Who gains, loses or moves eligibility if this version replaces the live one',
          params: ReviewParams,
          response: replies({ 200: ImpactSchema }),
        },
        preHandler: viewer,
      },
      async (req, reply) => sendResult(reply, await d.reviews.impact(req.params.campaignId, req.params.version)),
    );

    r.post(
      '/api/operator/reviews/:campaignId/:version/approve',
      {
        schema: {
          tags,
          summary: 'Approve a version (an approver other than its author)',
          params: ReviewParams,
          response: replies({ 200: ReviewSchema }),
        },
        preHandler: approver,
      },
      async (req, reply) =>
        sendResult(reply, await d.reviews.approve(req.params.campaignId, req.params.version, who(req))),
    );

    r.post(
      '/api/operator/reviews/:campaignId/:version/publish',
      {
        schema: {
          tags,
          summary: 'Publish an approved version now, or schedule it',
          params: ReviewParams,
          body: PublishBody,
          response: replies({ 200: ReviewSchema }),
        },
        preHandler: operator,
      },
      async (req, reply) => {
        const at = req.body.at === undefined ? undefined : Date.parse(req.body.at);
        if (at !== undefined && !Number.isFinite(at))
          return sendProblem(reply, 'validation', {
            errors: [{ field: 'body/at', message: 'not a representable instant' }],
          });
        return sendResult(reply, await d.reviews.publish(req.params.campaignId, req.params.version, who(req), at));
      },
    );

    r.post(
      '/api/operator/reviews/:campaignId/:version/withdraw',
      {
        schema: { tags, params: ReviewParams, response: replies({ 200: ReviewSchema }) },
        preHandler: operator,
      },
      async (req, reply) =>
        sendResult(reply, await d.reviews.withdraw(req.params.campaignId, req.params.version, who(req))),
    );
  };
}
