import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { Histogram, Registry } from 'prom-client';
import { RequestDurations, routeMetrics } from './route-metrics.ts';

describe('routeMetrics', () => {
  it('observes each answer by method, route pattern and status, and the not-found answer as unmatched', async () => {
    const histogram = new RequestDurations('http_request_duration_seconds', 'h', [0.005, 0.1, 1]);
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

  it('is formatted for /metrics exactly as a prom-client histogram given the same answers', async () => {
    const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    const ours = new Registry();
    const theirs = new Registry();
    const durations = new RequestDurations('http_request_duration_seconds', 'latency', buckets, [ours]);
    const reference = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'latency',
      labelNames: ['method', 'route', 'status'] as const,
      buckets,
      registers: [theirs],
    });
    const answers: [string, string, number, number][] = [
      ['GET', '/a/:id', 200, 0.0004],
      ['GET', '/a/:id', 200, 0.005],
      ['POST', '/a/:id', 429, 0.0051],
      ['GET', '/b', 200, 0.3],
      ['GET', '/a/:id', 503, 12],
      ['GET', '/a/:id', 200, 0.75],
    ];
    for (const [method, route, status, seconds] of answers) {
      durations.route(route)(method, status, seconds);
      reference.observe({ method, route, status: String(status) }, seconds);
    }
    assert.equal(await ours.metrics(), await theirs.metrics());
    const read = async (m: { get(): Promise<{ values: { labels: object; value: number; metricName?: string }[] }> }) =>
      (await m.get()).values.map(({ labels, value, metricName }) => ({ labels, value, metricName }));
    assert.deepEqual(await read(durations), await read(reference));
  });
});
