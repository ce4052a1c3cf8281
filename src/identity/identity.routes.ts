import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sendResult } from '../platform/http/errors.ts';
import { ok } from '../platform/result.ts';
import type { IdentityService } from './identity.service.ts';
import { requireSession, sessionOf } from './session-auth.ts';
import { replies } from '../platform/http/problem.schemas.ts';
import { MeSchema, ProvidersSchema, VerifiedSchema, VerifyBody } from './identity.schemas.ts';


export function identityRoutes(identity: IdentityService, findPublicPerson: (personId: number) => Promise<unknown>) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    r.get('/api/identity/providers', { schema: { tags: ['identity'], summary: 'Identity providers and their status lights', response: replies({ 200: ProvidersSchema }) } },
      async () => ({ providers: identity.providerStatuses() }));
    r.post('/api/identity/verify', { schema: { tags: ['identity'], summary: 'Verify identity; returns a session token', body: VerifyBody, response: replies({ 200: VerifiedSchema }) } },
      async (req, reply) => sendResult(reply, await identity.verify(req.body)));
    r.get('/api/identity/me', { schema: { tags: ['identity'], security: [{ session: [] }], response: replies({ 200: MeSchema }) }, preHandler: requireSession(identity) },
      async (req, reply) => sendResult(reply, ok({ person: await findPublicPerson(sessionOf(req).personId), expiresAt: new Date(sessionOf(req).expiresAtMs).toISOString() })));
  };
}
