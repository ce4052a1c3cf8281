/**
 * The pre-room draw in public (no session): the commitment before the opening, the seed and the
 * order after it. `npm run draw:verify -- --campaign ID` reads these two routes. Per-address limits
 * in process memory: the order pages read Redis.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import rateLimit from '@fastify/rate-limit';
import { sendProblem } from '../platform/http/errors.ts';
import { MAX_ORDER_PAGE, type DrawPublication } from './draw-publication.ts';

const CampaignParams = Type.Object({ campaignId: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }) });
const OrderQuery = Type.Object(
  {
    partition: Type.Integer({ minimum: 0, maximum: 10_000 }),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ORDER_PAGE })),
  },
  { additionalProperties: false },
);

export function drawRoutes(draw: DrawPublication, o: { perIpPerMinute?: number } = {}) {
  return async (app: FastifyInstance) => {
    await app.register(rateLimit, { max: o.perIpPerMinute ?? 120, timeWindow: 60_000 });
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['waiting-room'];

    r.get(
      '/api/campaigns/:campaignId/queue/draw',
      {
        schema: {
          tags,
          params: CampaignParams,
          summary: 'The pre-room draw: SHA-256 commitment of its seed, and the seed once the queue has opened',
        },
      },
      async (req, reply) => {
        const d = draw.drawOf(req.params.campaignId);
        if (!d.ok) return sendProblem(reply, 'queue-not-found');
        reply.header('cache-control', 'public, max-age=5');
        return { ...d.value, opensAt: new Date(d.value.opensAtMs).toISOString() };
      },
    );

    r.get(
      '/api/campaigns/:campaignId/queue/draw/order',
      {
        schema: {
          tags,
          params: CampaignParams,
          querystring: OrderQuery,
          summary: "Ticket ids of one partition's pre-room in place order (after the opening)",
        },
      },
      async (req, reply) => {
        const offset = req.query.offset ?? 0;
        const page = await draw.preRoomOrder(req.params.campaignId, {
          partition: req.query.partition,
          offset,
          limit: req.query.limit ?? 1_000,
        });
        if (!page.ok) return sendProblem(reply, page.reason === 'not-open' ? 'draw-not-revealed' : 'queue-not-found');
        // Frozen at the opening: a page never changes afterwards.
        reply.header('cache-control', 'public, max-age=60');
        return {
          campaignId: req.params.campaignId,
          partition: req.query.partition,
          offset,
          ticketIds: page.value.ticketIds,
        };
      },
    );
  };
}
