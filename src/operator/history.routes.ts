/** The dashboard history (the charts of the night so far, from every process) for anyone signed in to the console. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { replies } from '../platform/http/problem.schemas.ts';
import type { TokenSigner } from '../platform/signing.ts';
import { requireOperator, type OperatorClaims } from './operator-auth.ts';
import type { OperatorSessions } from './operator-sessions.ts';
import type { DashboardService } from './dashboard.service.ts';
import { DashboardHistorySchema, HistoryQuery } from './history.schemas.ts';

export function historyRoutes(d: {
  signer: TokenSigner<OperatorClaims>;
  sessions: OperatorSessions;
  dashboard: DashboardService;
}) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    r.get(
      '/api/operator/dashboard/history',
      {
        schema: {
          tags: ['operator'],
          summary: "The dashboard samples of the last hours (every process's, merged), oldest first",
          querystring: HistoryQuery,
          response: replies({ 200: DashboardHistorySchema }),
        },
        preHandler: requireOperator(d.signer, d.sessions, 'viewer'),
      },
      async (req) => d.dashboard.history(req.query.campaignId),
    );
  };
}
