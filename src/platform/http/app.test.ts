import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { createMetrics } from '../metrics.ts';
import { buildApp } from './app.ts';

async function appWith(plugin: (scope: FastifyInstance) => void) {
  return buildApp({
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
