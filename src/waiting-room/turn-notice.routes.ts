/**
 * "Text me when it is my turn" over HTTP, for the holder of a place (verified session, signed device
 * cookie, queue ticket): read, ask for, or withdraw the message. Never on the poll path: the queue
 * page asks once when it opens and when the person presses the button.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { TURN_NOTICE_REFUSALS, sendProblem } from '../platform/http/errors.ts';
import { replies } from '../platform/http/problem.schemas.ts';
import { limitBy, registerLimits } from '../platform/http/rate-limits.ts';
import type { IdentityService } from '../identity/identity.service.ts';
import { requireSession, sessionOf } from '../identity/session-auth.ts';
import type { TurnNoticeService } from './turn-notice.service.ts';
import { TurnNoticeSchema } from './turn-notice.schemas.ts';
import { CampaignParams, TicketHeaders } from './waiting-room.schemas.ts';
import { deviceOf } from './waiting-room.routes.ts';

export function turnNoticeRoutes(d: { identity: IdentityService; turnNotices: TurnNoticeService }) {
  const auth = requireSession(d.identity);
  return async (app: FastifyInstance) => {
    await registerLimits(app);
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    const perIdentity = limitBy(app, 'turn-notice', 30, (req) => sessionOf(req).identityHash);
    const schema = (summary: string) => ({
      tags: ['waiting-room'],
      security: [{ session: [] }],
      params: CampaignParams,
      headers: TicketHeaders,
      response: replies({ 200: TurnNoticeSchema }),
      summary,
    });
    const path = '/api/campaigns/:campaignId/queue/notice';
    type Call = 'noticeStatus' | 'optIn' | 'optOut';
    const handle =
      (call: Call) =>
      async (
        req: { params: { campaignId: string }; headers: { 'x-queue-ticket': string } } & Parameters<typeof deviceOf>[0],
        reply: Parameters<typeof sendProblem>[0],
      ) => {
        const r = await d.turnNotices[call]({
          campaignId: req.params.campaignId,
          ticket: req.headers['x-queue-ticket'],
          deviceId: deviceOf(req) ?? '',
          identityHash: sessionOf(req).identityHash,
        });
        if (!r.ok) return sendProblem(reply, TURN_NOTICE_REFUSALS[r.reason], r.detail ?? {});
        return r.value;
      };
    r.get(
      path,
      { schema: schema('Whether you asked for a message when your turn is near'), preHandler: [auth, perIdentity] },
      handle('noticeStatus'),
    );
    r.put(
      path,
      {
        schema: schema('Ask for a message when your turn is near (you may then leave the page)'),
        preHandler: [auth, perIdentity],
      },
      handle('optIn'),
    );
    r.delete(
      path,
      { schema: schema('Withdraw the message request'), preHandler: [auth, perIdentity] },
      handle('optOut'),
    );
  };
}
