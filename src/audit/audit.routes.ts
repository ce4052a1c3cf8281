/** The audit trail and booking traces for the console (any signed-in operator role may read). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { replies } from '../platform/http/problem.schemas.ts';
import { sendProblem } from '../platform/http/errors.ts';
import type { TokenSigner } from '../platform/signing.ts';
import { requireOperator, type OperatorClaims } from '../operator/operator-auth.ts';
import type { OperatorSessions } from '../operator/operator-sessions.ts';
import type { AuditService } from './audit.service.ts';
import { AuditList, AuditQuery, BookingTraceSchema, TraceParams } from './audit.schemas.ts';

export function auditRoutes(d: {
  signer: TokenSigner<OperatorClaims>;
  sessions: OperatorSessions;
  audit: AuditService;
}) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    const viewer = requireOperator(d.signer, d.sessions, 'viewer');
    const tags = ['audit'];

    r.get(
      '/api/operator/audit',
      {
        schema: {
          tags,
          summary: 'The audit trail, newest first, with filters',
          querystring: AuditQuery,
          response: replies({ 200: AuditList }),
        },
        preHandler: viewer,
      },
      async (req, reply) => {
        const { from, to, ...rest } = req.query;
        const fromMs = from === undefined ? undefined : Date.parse(from);
        const toMs = to === undefined ? undefined : Date.parse(to);
        const unreadable = [
          ['querystring/from', fromMs],
          ['querystring/to', toMs],
        ].filter(([, v]) => v !== undefined && !Number.isFinite(v));
        if (unreadable.length > 0)
          return sendProblem(reply, 'validation', {
            errors: unreadable.map(([field]) => ({ field, message: 'not a representable instant' })),
          });
        return reply.send({
          entries: await d.audit.list({
            ...rest,
            ...(fromMs !== undefined ? { fromMs } : {}),
            ...(toMs !== undefined ? { toMs } : {}),
          }),
        });
      },
    );

    r.get(
      '/api/operator/bookings/:bookingNumber/trace',
      {
        schema: {
          tags,
          summary: 'How a booking came to exist: its admission, queue place, device tag and verification',
          params: TraceParams,
          response: replies({ 200: BookingTraceSchema }),
        },
        preHandler: viewer,
      },
      async (req, reply) => {
        const trace = await d.audit.traceBooking(req.params.bookingNumber);
        return trace ? reply.send(trace) : sendProblem(reply, 'booking-not-found');
      },
    );
  };
}
