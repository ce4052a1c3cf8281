import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sendResult } from '../platform/http/errors.ts';
import { ok } from '../platform/result.ts';
import type { IdentityService } from './identity.service.ts';
import { requireSession, sessionOf } from './session-auth.ts';

const VerifyBody = Type.Object({
  providerId: Type.String({ minLength: 1, maxLength: 32 }),
  rrn: Type.String({ minLength: 13, maxLength: 14, description: 'Resident registration number, YYMMDD-NNNNNNN; hashed at once, never stored' }),
  name: Type.String({ minLength: 1, maxLength: 40 }),
}, { additionalProperties: false });

export function identityRoutes(identity: IdentityService, findPublicPerson: (personId: number) => Promise<unknown>) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    r.get('/api/identity/providers', { schema: { tags: ['identity'], summary: 'Identity providers and their status lights' } },
      async () => ({ providers: identity.providerStatuses() }));
    r.post('/api/identity/verify', { schema: { tags: ['identity'], summary: 'Verify identity; returns a session token', body: VerifyBody } },
      async (req, reply) => sendResult(reply, await identity.verify(req.body)));
    r.get('/api/identity/me', { schema: { tags: ['identity'], security: [{ session: [] }] }, preHandler: requireSession(identity) },
      async (req, reply) => sendResult(reply, ok({ person: await findPublicPerson(sessionOf(req).personId), expiresAt: new Date(sessionOf(req).expiresAtMs).toISOString() })));
  };
}
