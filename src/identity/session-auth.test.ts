import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { fixedClock } from '../platform/clock.ts';
import { createTokenSigner } from '../platform/signing.ts';
import type { SessionClaims } from './identity.service.ts';
import { requireSession, sessionOf } from './session-auth.ts';

const NOW = 1_700_000_000_000;

function sessionCheck() {
  const clock = fixedClock(NOW);
  const sessions = createTokenSigner<SessionClaims>(
    'session-auth-test-secret-0123456789abc',
    'identity-session',
    clock,
  );
  const identity = {
    authenticateNow: (token: string | undefined) => {
      if (!token) return { ok: false as const, reason: 'unauthenticated' as const };
      const v = sessions.verifyNow(token);
      if (!v.ok) return { ok: false as const, reason: 'unauthenticated' as const };
      return {
        ok: true as const,
        value: { personId: v.value.pid, identityHash: v.value.ih, expiresAtMs: v.value.exp * 1000 },
      };
    },
  };
  return { clock, sessions, check: requireSession(identity) };
}

describe('requireSession', () => {
  it('lets a valid session through in the same turn, as a callback-style hook (no promise per request)', async () => {
    const { sessions, check } = sessionCheck();
    const { token } = await sessions.sign({ pid: 7, ih: 'hash-7' }, 60_000);
    const request = { headers: { authorization: `Bearer ${token}` } } as unknown as FastifyRequest;
    let calledDone = false;
    const returned = check(request, {} as FastifyReply, () => {
      calledDone = true;
    });
    assert.equal(returned, undefined);
    assert.equal(calledDone, true);
    assert.equal(sessionOf(request).identityHash, 'hash-7');
  });

  it('answers 401 unauthenticated without the route for a missing, forged or expired token', async () => {
    const { clock, sessions, check } = sessionCheck();
    const app = Fastify();
    app.get('/me', { preHandler: check }, async (req) => ({ ih: sessionOf(req).identityHash }));
    const { token } = await sessions.sign({ pid: 7, ih: 'hash-7' }, 60_000);
    const get = (authorization?: string) => app.inject({ url: '/me', headers: authorization ? { authorization } : {} });
    assert.deepEqual((await get(`Bearer ${token}`)).json(), { ih: 'hash-7' });
    for (const refused of [undefined, `Bearer ${token}x`, 'Basic abc']) {
      const r = await get(refused);
      assert.equal(r.statusCode, 401, String(refused));
      assert.equal(r.headers['content-type'], 'application/problem+json; charset=utf-8');
    }
    clock.set(NOW + 60_000);
    assert.equal((await get(`Bearer ${token}`)).statusCode, 401);
    await app.close();
  });
});
