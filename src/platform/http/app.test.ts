import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { createMetrics } from '../metrics.ts';
import { buildApp } from './app.ts';
import { limitBy, registerLimits } from './rate-limits.ts';

async function appWith(plugin: (scope: FastifyInstance) => void, o: { tlsEnabled?: boolean } = {}) {
  return buildApp({
    ...o,
    logger: pino({ level: 'silent' }),
    metrics: createMetrics({ defaultMetrics: false }),
    isReady: async () => true,
    cookieSecret: 'x'.repeat(32),
    plugins: [plugin],
  });
}

describe('buildApp: cookies', () => {
  it('does not parse the Cookie header of a request refused in onRequest, and parses it for the route', async () => {
    const seenInOnRequest: unknown[] = [];
    let parsed = 0;
    const app = await appWith((scope) => {
      const refuseOverLimit = (
        req: { headers: Record<string, unknown>; cookies?: unknown },
        reply: { code(n: number): { send(b: unknown): void } },
        done: () => void,
      ) => {
        seenInOnRequest.push(req.cookies);
        if (req.headers['x-over-limit']) reply.code(429).send({ refused: true });
        else done();
      };
      scope.get('/thing', { onRequest: refuseOverLimit }, async (req) => ({ dev: req.cookies.yeyak_dev ?? null }));
    });
    const parse = app.parseCookie.bind(app);
    app.parseCookie = (header: string) => {
      parsed += 1;
      return parse(header);
    };
    const refused = await app.inject({ url: '/thing', headers: { cookie: 'yeyak_dev=abc', 'x-over-limit': '1' } });
    assert.equal(refused.statusCode, 429);
    assert.equal(parsed, 0);
    const answered = await app.inject({ url: '/thing', headers: { cookie: 'yeyak_dev=abc' } });
    assert.deepEqual(answered.json(), { dev: 'abc' });
    assert.equal(parsed, 1);
    assert.deepEqual(seenInOnRequest, [null, null]);
    await app.close();
  });
});

describe('buildApp: security headers', () => {
  const PAGE_CSP = /default-src 'self'.*frame-ancestors 'none'/;

  it('sends a refusal made in onRequest with nosniff and a CSP that loads nothing, not the page set', async () => {
    const app = await appWith(async (scope) => {
      await registerLimits(scope);
      const overLimit = limitBy(scope, 'ip', 0, (req) => req.ip);
      scope.get('/limited', { onRequest: overLimit }, async () => ({ ok: true }));
    });
    const res = await app.inject({ url: '/limited' });
    assert.equal(res.statusCode, 429);
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.ok(Number(res.headers['retry-after']) > 0);
    assert.equal(res.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'");
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-dns-prefetch-control'], undefined, "helmet's document headers are not sent");
    assert.equal(res.json().code, 'too-many-requests');
    await app.close();
  });

  it('sends the page set on answers past onRequest, the not-found answer and an error raised in onRequest', async () => {
    const app = await appWith((scope) => {
      scope.get('/thing', async () => ({ ok: true }));
      scope.get('/broken', { onRequest: (_req, _reply, done) => done(new Error('boom')) }, async () => ({}));
    });
    for (const [url, status] of [
      ['/thing', 200],
      ['/no-such-route', 404],
      ['/broken', 500],
    ] as const) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, status, url);
      assert.match(String(res.headers['content-security-policy']), PAGE_CSP, url);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(res.headers['x-frame-options'], 'DENY', url);
      assert.equal(res.headers['x-dns-prefetch-control'], 'off', url);
    }
    await app.close();
  });

  it('sends API routes the API set (no document headers) on answers and on errors the route raises, and pages the page set', async () => {
    const app = await appWith((scope) => {
      scope.get('/api/thing', async () => ({ ok: true }));
      scope.get('/api/broken', async () => {
        throw new Error('boom');
      });
      scope.get('/healthz-like', async () => ({ ok: true }));
    });
    for (const [url, status] of [
      ['/api/thing', 200],
      ['/api/broken', 500],
      ['/healthz', 200],
    ] as const) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, status, url);
      assert.equal(res.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'", url);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(res.headers['x-frame-options'], 'DENY', url);
      assert.equal(res.headers['cross-origin-resource-policy'], 'same-origin', url);
      for (const documentOnly of [
        'cross-origin-opener-policy',
        'origin-agent-cluster',
        'referrer-policy',
        'x-dns-prefetch-control',
        'x-download-options',
        'x-permitted-cross-domain-policies',
        'x-xss-protection',
      ])
        assert.equal(res.headers[documentOnly], undefined, `${url}: ${documentOnly}`);
    }
    const page = await app.inject({ url: '/healthz-like' });
    assert.match(String(page.headers['content-security-policy']), PAGE_CSP);
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    await app.close();
  });

  it('sends HSTS on API answers too when the site is behind TLS', async () => {
    const app = await appWith((scope) => scope.get('/api/thing', async () => ({ ok: true })), { tlsEnabled: true });
    const res = await app.inject({ url: '/api/thing' });
    assert.match(String(res.headers['strict-transport-security']), /max-age=31536000; includeSubDomains/);
    await app.close();
  });
});
