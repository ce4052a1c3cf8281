import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sendResult } from '../platform/http/errors.ts';
import { ok } from '../platform/result.ts';
import type { IdentityService } from './identity.service.ts';
import { requireSession, sessionOf } from './session-auth.ts';
import { replies } from '../platform/http/problem.schemas.ts';
import { MeSchema, ProvidersSchema, VerifiedSchema, VerifyBody } from './identity.schemas.ts';
import { limitBy, registerLimits } from '../platform/http/rate-limits.ts';

/**
 * Verification allowances per minute, counted in each process's memory: per address (carrier NAT
 * puts many phones behind one, as for the waiting room's joins and polls) and per person, keyed by
 * the keyed hash of the number presented (never the number), so nobody can try names against one
 * number at machine speed.
 */
export const VERIFY_LIMITS = { perAddressPerMinute: 6_000, perIdentityPerMinute: 10 };

export function identityRoutes(
  identity: IdentityService,
  findPublicPerson: (personId: number) => Promise<unknown>,
  limits: Partial<typeof VERIFY_LIMITS> = {},
) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<TypeBoxTypeProvider>();
    await registerLimits(app);
    const allowed = { ...VERIFY_LIMITS, ...limits };
    const perAddress = limitBy(app, 'verify-ip', allowed.perAddressPerMinute, (req) => req.ip);
    // Both the check and the key need the hash: one HMAC per request.
    const hashes = new WeakMap<FastifyRequest, string | null>();
    const identityOf = (req: FastifyRequest) => {
      let h = hashes.get(req);
      if (h === undefined) {
        const hashed = identity.hashRrn((req.body as { rrn: string }).rrn);
        h = hashed.ok ? hashed.value.identityHash : null;
        hashes.set(req, h);
      }
      return h;
    };
    const perIdentityLimit = limitBy(app, 'verify', allowed.perIdentityPerMinute, (req) => identityOf(req) ?? '');
    // A malformed number is no one's: verify refuses it (400), and only the address counts it.
    const perIdentity = (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) =>
      identityOf(req) === null ? done() : perIdentityLimit(req, reply, done);
    r.get(
      '/api/identity/providers',
      {
        schema: {
          tags: ['identity'],
          summary: 'Identity providers and their status lights',
          response: replies({ 200: ProvidersSchema }),
        },
      },
      async () => ({ providers: identity.providerStatuses() }),
    );
    r.post(
      '/api/identity/verify',
      {
        schema: {
          tags: ['identity'],
          summary: 'Verify identity; returns a session token',
          body: VerifyBody,
          response: replies({ 200: VerifiedSchema }),
        },
        onRequest: perAddress,
        preHandler: perIdentity,
      },
      async (req, reply) => sendResult(reply, await identity.verify(req.body)),
    );
    r.get(
      '/api/identity/me',
      {
        schema: { tags: ['identity'], security: [{ session: [] }], response: replies({ 200: MeSchema }) },
        preHandler: requireSession(identity),
      },
      async (req, reply) =>
        sendResult(
          reply,
          ok({
            person: await findPublicPerson(sessionOf(req).personId),
            expiresAt: new Date(sessionOf(req).expiresAtMs).toISOString(),
          }),
        ),
    );
  };
}
