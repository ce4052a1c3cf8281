/**
 * Operator sessions: a signed token in a secure, http-only, SameSite=Strict cookie, and CSRF
 * protection (@fastify/csrf-protection, double submit with a signed secret cookie) on every
 * state-changing request. Roles: `viewer` reads, `operator` also changes campaigns and admission.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import csrf from '@fastify/csrf-protection';
import { sendProblem } from '../platform/http/errors.ts';
import type { TokenSigner } from '../platform/signing.ts';
import type { OperatorRole } from './operator-accounts.ts';

export const OPERATOR_COOKIE = 'yeyak_op';

export interface OperatorClaims { [key: string]: unknown; sub: string; role: OperatorRole }

declare module 'fastify' {
  interface FastifyRequest { operator?: { username: string; role: OperatorRole } }
}

/** CSRF for the console's scope; cookies themselves are registered once by the app builder. */
export async function registerOperatorAuth(app: FastifyInstance, o: { secureCookies: boolean }) {
  await app.register(csrf, {
    cookieKey: 'yeyak_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: o.secureCookies, signed: true },
    getToken: (req) => req.headers['x-csrf-token'] as string | undefined,
  });
}

export function requireOperator(signer: TokenSigner<OperatorClaims>, minimumRole: OperatorRole) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const token = request.cookies[OPERATOR_COOKIE];
    const verified = token ? await signer.verify(token) : undefined;
    if (!verified?.ok) return sendProblem(reply, 'operator-unauthenticated');
    if (minimumRole === 'operator' && verified.value.role !== 'operator') return sendProblem(reply, 'operator-forbidden');
    request.operator = { username: verified.value.sub, role: verified.value.role };
  };
}
