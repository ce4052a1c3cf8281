/**
 * Operator sessions: a signed token in a secure, http-only, SameSite=Strict cookie that names a
 * session row (operator-sessions.ts) checked on every request, and CSRF protection
 * (@fastify/csrf-protection, double submit with a signed secret cookie) on every state-changing
 * request, its token bound to the session id (`userInfo`), so a token taken from one session is
 * refused in another. Roles: `viewer` reads, `operator` also changes campaigns and admission,
 * `approver` also approves another person's campaign version; `agent` books for callers on the
 * agent routes and nothing else.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import csrf from '@fastify/csrf-protection';
import { sendProblem } from '../platform/http/errors.ts';
import type { TokenSigner } from '../platform/signing.ts';
import { hasRole, type OperatorRole } from './operator-accounts.ts';
import type { OperatorSessions } from './operator-sessions.ts';

export const OPERATOR_COOKIE = 'yeyak_op';

export interface OperatorClaims {
  [key: string]: unknown;
  sub: string;
  role: OperatorRole;
  sid: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    operator?: { username: string; role: OperatorRole; sessionId: string };
  }
}

/**
 * CSRF for the console's scope; cookies themselves are registered once by the app builder. The
 * check must run after `requireOperator` (it reads the session id that hook sets).
 */
export async function registerOperatorAuth(app: FastifyInstance, o: { secureCookies: boolean; csrfKey: Uint8Array }) {
  await app.register(csrf, {
    cookieKey: 'yeyak_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: o.secureCookies, signed: true },
    getToken: (req) => req.headers['x-csrf-token'] as string | undefined,
    getUserInfo: (req) => req.operator?.sessionId ?? '',
    csrfOpts: { hmacKey: Buffer.from(o.csrfKey) },
  });
}

/** The problem for a signed-in account whose role does not reach `minimumRole`. */
function refusalFor(role: OperatorRole, minimumRole: OperatorRole) {
  if (minimumRole === 'agent') return 'agent-required' as const;
  if (role === 'agent') return 'agent-not-staff' as const;
  return minimumRole === 'approver' ? ('approver-required' as const) : ('operator-forbidden' as const);
}

/** `'any-role'`: any signed-in account, agents included (who am I, sign out). */
export function requireOperator(
  signer: TokenSigner<OperatorClaims>,
  sessions: OperatorSessions,
  minimumRole: OperatorRole | 'any-role',
) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const token = request.cookies[OPERATOR_COOKIE];
    const verified = token ? await signer.verify(token) : undefined;
    if (!verified?.ok || typeof verified.value.sid !== 'string') return sendProblem(reply, 'operator-unauthenticated');
    if (!(await sessions.isLive(verified.value.sid, verified.value.sub)))
      return sendProblem(reply, 'operator-unauthenticated');
    if (minimumRole !== 'any-role' && !hasRole(verified.value.role, minimumRole))
      return sendProblem(reply, refusalFor(verified.value.role, minimumRole));
    request.operator = { username: verified.value.sub, role: verified.value.role, sessionId: verified.value.sid };
  };
}
