/** The console's capacity plan for a campaign (viewer and up). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sendResult } from '../platform/http/errors.ts';
import { replies } from '../platform/http/problem.schemas.ts';
import type { TokenSigner } from '../platform/signing.ts';
import { requireOperator, type OperatorClaims } from '../operator/operator-auth.ts';
import type { OperatorSessions } from '../operator/operator-sessions.ts';
import type { CapacityService } from './capacity.service.ts';
import { CampaignCapacityPlanSchema, CapacityParams, CapacityQuery } from './capacity.schemas.ts';

export function capacityRoutes(d: {
  signer: TokenSigner<OperatorClaims>;
  sessions: OperatorSessions;
  capacity: CapacityService;
}) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    r.get(
      '/api/operator/campaigns/:id/capacity-plan',
      {
        schema: {
          tags: ['operator'],
          summary:
            "The capacity plan for one opening of a live campaign: its registered cohort, a load scenario's arrival curve and the bench's measured numbers (the model of npm run plan)",
          params: CapacityParams,
          querystring: CapacityQuery,
          response: replies({ 200: CampaignCapacityPlanSchema }),
        },
        preHandler: requireOperator(d.signer, d.sessions, 'viewer'),
      },
      async (req, reply) =>
        sendResult(
          reply,
          await d.capacity.planForCampaign(req.params.id, {
            scenarioId: req.query.scenario,
            opensAtMs: req.query.opensAtMs,
          }),
        ),
    );
  };
}
