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

/**
 * Callback style, and the session checked without a promise: an async hook cost every join and
 * poll a promise per level (hook, service, signer) and a microtask turn for one HMAC.
 */
export function requireSession(identity: Pick<IdentityService, 'authenticateNow'>) {
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const session = identity.authenticateNow(bearerToken(request));
    if (!session.ok) {
      sendProblem(reply, 'unauthenticated');
      return;
    }
    request.session = session.value;
    done();
  };
}

/** The session set by requireSession; a route without the preHandler calling this is a bug. */
export function sessionOf(request: FastifyRequest): Session {
  if (!request.session) throw new Error('route used sessionOf without requireSession');
  return request.session;
}
