/**
 * Hostile input over HTTP (issue 11, item 4): every refusal is a 4xx problem, never a 500, and
 * nothing is booked by a request that should have been refused. The answers Fastify and Node give
 * before a route runs (414, 431, 413, 415, 404) are problem+json too and never echo the URL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { fixedClock } from '../../src/platform/clock.ts';
import { makeRrn } from '../../src/people/rrn.ts';
import { composeApp } from '../../src/app/compose.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { createMetrics } from '../../src/platform/metrics.ts';
import { pgliteForTest, type TestDatabase } from '../support/databases.ts';
import { newBookableCampaign, newVerifiablePeople } from '../support/factories.ts';
import { testConfig } from '../support/services.ts';
import { admitted } from '../support/queue.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');
const PROBLEM = /^application\/problem\+json/;

/** One raw request over a socket (what light-my-request cannot send: a 20 kB URL, a 40 kB header). */
function raw(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (c: string) => {
          body += c;
        })
        .on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject).end();
  });
}

describe('hostile input over HTTP', () => {
  let tdb: TestDatabase;
  let app: Awaited<ReturnType<typeof composeApp>>['app'];
  let services: Awaited<ReturnType<typeof composeApp>>['services'];
  let port = 0;
  const logLines: string[] = [];
  const clock = fixedClock(NOW);
  const rrn = makeRrn('1968-05-05', 'F', 4321);
  let slotId = 0;
  let session: { authorization: string };

  before(async () => {
    tdb = await pgliteForTest();
    const config = testConfig({ OPERATOR_ACCOUNTS: 'op:operator:op-password-1' });
    await newVerifiablePeople(tdb.db, config.identityHmacKey, [{ rrn, name: '김하나' }]);
    ({ slotId } = await newBookableCampaign(tdb.db, NOW, 'F-HOSTILE'));
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, done) {
          logLines.push(String(chunk));
          done();
        },
      }),
    );
    ({ app, services } = await composeApp({ config, clock, logger, database: tdb }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
    const v = await app.inject({
      method: 'POST',
      url: '/api/identity/verify',
      payload: { providerId: 'pass', rrn, name: '김하나' },
    });
    session = { authorization: `Bearer ${v.json().sessionToken as string}` };
  });
  after(async () => {
    await app.close();
    await tdb.close();
  });

  const bookingCount = async () =>
    (
      await tdb.db
        .selectFrom('bookings')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;

  it('does not coerce body types: {"slotId":true} and {"slotId":"1"} are refused and book nothing', async () => {
    const auth = await admitted(app, services, clock, 'demo', session, 'device-hostile-1');
    for (const [i, body] of [{ slotId: true }, { slotId: String(slotId) }, { slotId: [slotId] }].entries()) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/campaigns/demo/bookings',
        headers: { ...auth, 'idempotency-key': `hostile-coerce-${i}` },
        payload: body,
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.match(String(res.headers['content-type']), PROBLEM);
      assert.equal(res.json().code, 'validation');
    }
    assert.equal(Number(await bookingCount()), 0);
  });

  it('refuses ids past what a JSON number holds exactly (2^63, 1e20) with 400, not 500', async () => {
    for (const slot of ['9223372036854775808', '1e20', '9007199254740992']) {
      const res = await app.inject({
        method: 'PATCH',
        url: '/api/bookings/ABCD-EFGH-JKMN',
        headers: { ...session, 'content-type': 'application/json' },
        payload: `{"slotId":${slot}}`,
      });
      assert.equal(res.statusCode, 400, `${slot}: ${res.body}`);
      assert.match(String(res.headers['content-type']), PROBLEM);
    }
  });

  it('refuses dates that match the pattern but do not exist, on both slot searches', async () => {
    const auth = await admitted(app, services, clock, 'demo', session, 'device-hostile-1');
    for (const url of [
      '/api/campaigns/demo/slots?date=2026-02-30',
      '/api/bookings/ABCD-EFGH-JKMN/slots?date=2026-02-30',
      '/api/campaigns/demo/slots?date=2026-13-01',
    ]) {
      const res = await app.inject({ url, headers: auth });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.equal(res.json().code, 'validation');
    }
    const leap = await app.inject({ url: '/api/campaigns/demo/slots?date=2028-02-29', headers: auth });
    assert.equal(leap.statusCode, 200, leap.body);
  });

  it('refuses control characters in query strings and in saved campaign rules', async () => {
    const auth = await admitted(app, services, clock, 'demo', session, 'device-hostile-1');
    const res = await app.inject({ url: '/api/campaigns/demo/slots?region=KR-11%00', headers: auth });
    assert.equal(res.statusCode, 400, res.body);
    const login = await app.inject({
      method: 'POST',
      url: '/api/operator/login',
      payload: { username: 'op', password: 'op-password-1' },
    });
    const h = {
      cookie: login.cookies.map((c) => `${c.name}=${c.value}`).join('; '),
      'x-csrf-token': login.json().csrfToken as string,
    };
    const listed = await app.inject({ url: '/api/operator/campaigns', headers: h });
    const demo = listed.json().campaigns.find((c: { id: string }) => c.id === 'demo');
    const rules = { ...demo.rules, version: demo.latestVersion + 1, name: { ko: '데모\u0000', en: 'demo' } };
    const saved = await app.inject({ method: 'POST', url: '/api/operator/campaigns', headers: h, payload: { rules } });
    assert.equal(saved.statusCode, 422, saved.body);
    assert.deepEqual(saved.json().problems, [
      {
        path: '/name/ko',
        message: 'must be text without control characters',
        messages: { ko: '제어 문자가 없는 글이어야 합니다', en: 'must be text without control characters' },
        place: { ko: '이름 › 한국어', en: 'name › Korean' },
      },
    ]);
  });

  it("answers Fastify's and Node's own refusals as problem+json without echoing the URL", async () => {
    const secret = 'SECRETPATH';
    // Over the router's parameter length: the site's catch-all static route takes it (404).
    const longParam = await raw(port, `/api/bookings/${secret}${'A'.repeat(200)}`, session);
    assert.equal(longParam.status, 404);
    const hugeHeader = await raw(port, '/api/campaigns', { 'x-filler': 'x'.repeat(40_000) });
    assert.equal(hugeHeader.status, 431);
    const notFound = await raw(port, `/api/${secret}?q=${secret}`);
    assert.equal(notFound.status, 404);
    for (const r of [longParam, hugeHeader, notFound]) {
      assert.match(r.type, PROBLEM, r.body);
      assert.equal(JSON.parse(r.body).status, r.status);
      assert.ok(!r.body.includes(secret), r.body);
    }
    const tooLarge = await app.inject({
      method: 'POST',
      url: '/api/identity/verify',
      headers: { 'content-type': 'application/json' },
      payload: `{"name":"${'x'.repeat(70_000)}"}`,
    });
    assert.equal(tooLarge.statusCode, 413);
    const wrongType = await app.inject({
      method: 'POST',
      url: '/api/identity/verify',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    assert.equal(wrongType.statusCode, 415);
    const wrongMethod = await app.inject({ method: 'PUT', url: '/api/campaigns' });
    assert.equal(wrongMethod.statusCode, 404);
    for (const r of [tooLarge, wrongType, wrongMethod])
      assert.match(String(r.headers['content-type']), PROBLEM, r.body);
  });

  it("answers a path parameter over the router's length limit with a 414 problem that does not echo it", async () => {
    const bare = await buildApp({
      logger: pino({ level: 'silent' }),
      metrics: createMetrics({ defaultMetrics: false }),
      isReady: async () => true,
      cookieSecret: 'c'.repeat(32),
      plugins: [
        (a) => {
          a.get('/things/:id', async () => ({}));
        },
      ],
    });
    try {
      const res = await bare.inject({ url: `/things/SECRETPATH${'A'.repeat(200)}` });
      assert.equal(res.statusCode, 414);
      assert.match(String(res.headers['content-type']), PROBLEM);
      assert.equal(res.json().status, 414);
      assert.ok(!res.body.includes('SECRETPATH'), res.body);
    } finally {
      await bare.close();
    }
  });

  it('logs the route a request matched, never its URL or query string', async () => {
    logLines.length = 0;
    await raw(port, '/api/campaigns/demo/schedule?birthDate=1968-05-05&utm=QUERYSECRET');
    const lines = logLines.join('');
    assert.ok(!lines.includes('QUERYSECRET') && !lines.includes('1968-05-05'), lines);
    assert.ok(lines.includes('"route":"/api/campaigns/:campaignId/schedule"'), lines);
  });

  it('limits verification per person: the 11th attempt in a minute is a 429 problem with Retry-After', async () => {
    const other = makeRrn('1970-01-01', 'M', 77);
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 11; i++) {
      last = await app.inject({
        method: 'POST',
        url: '/api/identity/verify',
        payload: { providerId: 'pass', rrn: other, name: `guess${i}` },
      });
      statuses.push(last.statusCode);
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.equal(last!.statusCode, 429, last!.body);
    assert.equal(last!.json().code, 'too-many-requests');
    assert.ok(Number(last!.headers['retry-after']) > 0);
  });

  it('limits changes per identity: a storm of changes gets 429s, not database work', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await app.inject({
        method: 'PATCH',
        url: '/api/bookings/ABCD-EFGH-JKMN',
        headers: session,
        payload: { slotId },
      });
      statuses.push(res.statusCode);
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(404));
    assert.deepEqual(statuses.slice(10), [429, 429]);
  });
});
