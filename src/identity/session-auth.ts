/** A preHandler that admits only requests carrying a valid verified-identity session (Bearer). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../platform/http/errors.ts';
import type { IdentityService, Session } from './identity.service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    session?: Session;
  }
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

export function requireSession(identity: IdentityService) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const session = await identity.authenticate(bearerToken(request));
    if (!session.ok) return sendProblem(reply, 'unauthenticated');
    request.session = session.value;
  };
}

/** The session set by requireSession; a route without the preHandler calling this is a bug. */
export function sessionOf(request: FastifyRequest): Session {
  if (!request.session) throw new Error('route used sessionOf without requireSession');
  return request.session;
}
