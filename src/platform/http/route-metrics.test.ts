import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { Histogram, Registry } from 'prom-client';
import { routeMetrics } from './route-metrics.ts';

describe('routeMetrics', () => {
  it('observes each answer by method, route pattern and status, and the not-found answer as unmatched', async () => {
    const registry = new Registry();
    const histogram = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'h',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    });
    const app = Fastify();
    const durations = routeMetrics(histogram);
    app.addHook('onRoute', durations.onRoute);
    app.get('/things/:id', { onResponse: async () => {} }, async (req, reply) =>
      (req.params as { id: string }).id === 'gone' ? reply.code(410).send({}) : { ok: true },
    );
    app.setNotFoundHandler((request, reply) => {
      const sent = reply.code(404).send({});
      durations.notFound(request, reply);
      return sent;
    });
    await app.inject({ url: '/things/1' });
    await app.inject({ url: '/things/2' });
    await app.inject({ url: '/things/gone' });
    await app.inject({ url: '/nowhere' });
    const counts = (await histogram.get()).values
      .filter((v) => v.metricName === 'http_request_duration_seconds_count')
      .map((v) => [v.labels.method, v.labels.route, v.labels.status, v.value]);
    assert.deepEqual(
      counts.sort(),
      [
        ['GET', '/things/:id', '200', 2],
        ['GET', '/things/:id', '410', 1],
        ['GET', 'unmatched', '404', 1],
      ].sort(),
    );
    await app.close();
  });
});
