/**
 * Join is limited per identity (10 a minute) and per IP; over the limit the answer is a 429
 * problem that says the place is kept, with Retry-After. With Redis the counters are shared, so
 * spreading requests over several server processes does not multiply the allowance.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../src/platform/clock.ts';
import { makeRrn } from '../../src/people/rrn.ts';
import { insertCampaignVersion, setLiveVersion } from '../../src/campaigns/campaign.repository.ts';
import { demoCampaign } from '../../src/eligibility/seed-campaigns.ts';
import { Redis } from 'ioredis';
import { prefixPattern, rateLimitNamespace } from '../../src/waiting-room/keys.ts';
import { REDIS_URL, deletePrefix, redisSkipReason, uniquePrefix } from '../support/redis.ts';
import { pgliteForTest, type TestDatabase } from '../support/databases.ts';
import pino from 'pino';
import { buildApp } from '../../src/platform/http/app.ts';
import { waitingRoomRoutes } from '../../src/waiting-room/waiting-room.routes.ts';
import { testApp, testConfig, testServices } from '../support/services.ts';
import { verifyAs } from '../support/queue.ts';
import { newVerifiablePeople } from '../support/factories.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');
const people = [makeRrn('1968-05-05', 'F', 11), makeRrn('1967-03-03', 'M', 22)];
const names = ['김하나', '이둘'];
type App = Awaited<ReturnType<typeof testApp>>['app'];

const join = (app: App, auth: { authorization: string }, deviceId = 'phone-0001') =>
  app.inject({ method: 'POST', url: '/api/campaigns/demo/queue', headers: auth, payload: { deviceId } });

describe('join limits', () => {
  let tdb: TestDatabase;
  const clock = fixedClock(NOW);

  before(async () => {
    tdb = await pgliteForTest();
    const key = testConfig().identityHmacKey;
    await newVerifiablePeople(
      tdb.db,
      key,
      people.map((rrn, i) => ({ rrn, name: names[i]!, birthDate: ['1968-05-05', '1967-03-03'][i]! })),
    );
    const rules = demoCampaign(NOW, { opensInMs: 0 });
    await insertCampaignVersion(tdb.db, rules.id, 1, rules, 'test');
    await setLiveVersion(tdb.db, rules.id, 1);
  });
  after(async () => {
    await tdb.close();
  });

  it('answers the 11th join of a minute with a 429 that keeps the place, and only for that identity', async () => {
    const { app } = await testApp(tdb, clock);
    try {
      const auth = await verifyAs(app, people[0]!, names[0]!);
      const first = await join(app, auth);
      assert.equal(first.statusCode, 200, first.body);
      for (let i = 1; i < 10; i++) assert.equal((await join(app, auth)).statusCode, 200);
      const over = await join(app, auth);
      assert.equal(over.statusCode, 429);
      assert.equal(over.json().code, 'too-many-requests');
      assert.match(over.json().messages.en, /your place is kept/);
      assert.ok(Number(over.headers['retry-after']) > 0, 'Retry-After tells when to come back');
      const other = await join(app, await verifyAs(app, people[1]!, names[1]!), 'phone-0002');
      assert.equal(other.statusCode, 200, 'another person is not limited by the first one');
    } finally {
      await app.close();
    }
  });

  it('answers the 121st poll of a minute with a 429 too', async () => {
    const { app } = await testApp(tdb, clock);
    try {
      const auth = await verifyAs(app, people[1]!, names[1]!);
      const ticket = (await join(app, auth, 'phone-0002')).json().ticket as string;
      const poll = () =>
        app.inject({
          url: '/api/campaigns/demo/queue/status',
          headers: { ...auth, cookie: 'yeyak_dev=phone-0002', 'x-queue-ticket': ticket },
        });
      for (let i = 0; i < 120; i++) assert.equal((await poll()).statusCode, 200);
      const over = await poll();
      assert.equal(over.statusCode, 429);
      assert.equal(over.json().code, 'too-many-requests');
    } finally {
      await app.close();
    }
  });

  it('turns joins away with 429 queue-busy and Retry-After while overloaded, and keeps answering polls', async () => {
    // The place taken before the overload, through the normal app.
    const normal = await testApp(tdb, clock);
    const auth = await verifyAs(normal.app, people[0]!, names[0]!);
    const ticket = (await join(normal.app, auth)).json().ticket as string;
    await normal.app.close();

    const services = testServices(tdb, clock);
    await services.waitingRoom.syncRooms();
    let healthy = false;
    const app = await buildApp({
      logger: pino({ level: 'silent' }),
      metrics: services.metrics,
      isReady: async () => true,
      cookieSecret: 'c'.repeat(32),
      plugins: [
        waitingRoomRoutes({
          identity: services.identity,
          waitingRoom: services.waitingRoom.service,
          eta: services.waitingRoom.eta,
          secureCookies: false,
          redis: null,
          redisKeyPrefix: 'test',
          shedJoins: { maxEventLoopDelayMs: 0, healthCheck: async () => healthy },
        }),
      ],
    });
    try {
      const turnedAway = await join(app, auth);
      assert.equal(turnedAway.statusCode, 429);
      assert.equal(turnedAway.json().code, 'queue-busy');
      const retryAfter = Number(turnedAway.headers['retry-after']);
      assert.ok(retryAfter >= 5 && retryAfter <= 15, `Retry-After ${retryAfter} s`);
      const polled = await app.inject({
        url: '/api/campaigns/demo/queue/status',
        headers: { ...auth, cookie: 'yeyak_dev=phone-0001', 'x-queue-ticket': ticket },
      });
      assert.equal(polled.statusCode, 200, 'a person already in the queue is still answered');
      healthy = true;
      // The health check runs every second: joins are accepted again within a few.
      let status = 0;
      for (let i = 0; i < 40 && status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 250));
        status = (await join(app, auth)).statusCode;
      }
      assert.equal(status, 200, 'joins are accepted again once the overload ends');
    } finally {
      await app.close();
      await services.waitingRoom.close();
    }
  });

  it('turns away at once a join that waited too long behind the edge (X-Request-Start), and takes a fresh one', async () => {
    const { app } = await testApp(tdb, clock, undefined, { JOIN_MAX_QUEUED_MS: '300' });
    try {
      const auth = await verifyAs(app, people[0]!, names[0]!);
      const sentAt = (msAgo: number) => `t=${((Date.now() - msAgo) / 1000).toFixed(3)}`;
      const late = await app.inject({
        method: 'POST',
        url: '/api/campaigns/demo/queue',
        headers: { ...auth, 'x-request-start': sentAt(2_000) },
        payload: { deviceId: 'phone-0001' },
      });
      assert.equal(late.statusCode, 429, late.body);
      assert.equal(late.json().code, 'queue-busy');
      const retryAfter = Number(late.headers['retry-after']);
      assert.ok(retryAfter >= 5 && retryAfter <= 15, `Retry-After ${retryAfter} s`);
      const fresh = await app.inject({
        method: 'POST',
        url: '/api/campaigns/demo/queue',
        headers: { ...auth, 'x-request-start': sentAt(10) },
        payload: { deviceId: 'phone-0001' },
      });
      assert.equal(fresh.statusCode, 200, fresh.body);
    } finally {
      await app.close();
    }
  });

  it('turns a join away at once while the process already works on its cap of joins, and takes joins again after', async () => {
    const normal = await testApp(tdb, clock);
    const firstAuth = await verifyAs(normal.app, people[0]!, names[0]!);
    const secondAuth = await verifyAs(normal.app, people[1]!, names[1]!);
    await normal.app.close();
    const services = testServices(tdb, clock);
    await services.waitingRoom.syncRooms();
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const real = services.waitingRoom.service;
    // The first join waits (as it would on a slow Redis) until released.
    let entered!: () => void;
    const isInside = new Promise<void>((r) => {
      entered = r;
    });
    const slowRoom = {
      ...real,
      joinQueue: async (i: Parameters<typeof real.joinQueue>[0]) => {
        entered();
        await held;
        return real.joinQueue(i);
      },
    };
    const app = await buildApp({
      logger: pino({ level: 'silent' }),
      metrics: services.metrics,
      isReady: async () => true,
      cookieSecret: 'c'.repeat(32),
      plugins: [
        waitingRoomRoutes({
          identity: services.identity,
          waitingRoom: slowRoom,
          eta: services.waitingRoom.eta,
          secureCookies: false,
          redis: null,
          redisKeyPrefix: 'test',
          shedJoins: { maxEventLoopDelayMs: 0, maxInFlight: 1 },
        }),
      ],
    });
    try {
      const first = join(app, firstAuth, 'phone-0001');
      await isInside;
      const second = await join(app, secondAuth, 'phone-0002');
      assert.equal(second.statusCode, 429);
      assert.equal(second.json().code, 'queue-busy');
      const retryAfter = Number(second.headers['retry-after']);
      assert.ok(retryAfter >= 5 && retryAfter <= 15, `Retry-After ${retryAfter} s`);
      release();
      assert.equal((await first).statusCode, 200, 'the join in flight completes');
      assert.equal(
        (await join(app, secondAuth, 'phone-0002')).statusCode,
        200,
        'the turned-away person gets in when they come back',
      );
    } finally {
      await app.close();
      await services.waitingRoom.close();
    }
  });

  it('shares the counters through Redis, so two server processes allow 10 in all, not 20', async (t) => {
    const skip = await redisSkipReason();
    if (skip) return t.skip(skip);
    const prefix = uniquePrefix();
    const env = { REDIS_URL, REDIS_KEY_PREFIX: prefix };
    const a = await testApp(tdb, clock, undefined, env);
    const b = await testApp(tdb, clock, undefined, env);
    try {
      const auth = await verifyAs(a.app, people[1]!, names[1]!);
      for (let i = 0; i < 5; i++) assert.equal((await join(a.app, auth, 'phone-0002')).statusCode, 200);
      for (let i = 0; i < 5; i++) assert.equal((await join(b.app, auth, 'phone-0002')).statusCode, 200);
      assert.equal((await join(a.app, auth, 'phone-0002')).statusCode, 429);
      assert.equal((await join(b.app, auth, 'phone-0002')).statusCode, 429);
      // Polls are limited in each process's memory: they leave no counter in Redis.
      const ticket = (await join(a.app, await verifyAs(a.app, people[0]!, names[0]!), 'phone-0001')).json()
        .ticket as string;
      const pollAuth = await verifyAs(a.app, people[0]!, names[0]!);
      for (let i = 0; i < 3; i++) {
        const polled = await a.app.inject({
          url: '/api/campaigns/demo/queue/status',
          headers: { ...pollAuth, cookie: 'yeyak_dev=phone-0001', 'x-queue-ticket': ticket },
        });
        assert.equal(polled.statusCode, 200, polled.body);
      }
      // The per-identity join counter lives with the identity's partition (join.lua counts it).
      const joinCounters = await listKeys(`${prefixPattern(prefix)}:joins:*`);
      assert.equal(joinCounters.length, 2, `one join counter per identity: ${joinCounters.join(', ')}`);
      const counters = await listKeys(`${rateLimitNamespace(prefix)}*`);
      assert.equal(counters.filter((k) => k.includes('poll:')).length, 0, 'no poll counter in Redis');
      assert.ok(
        counters.length > 0 && counters.every((k) => k.startsWith(`${rateLimitNamespace(prefix)}ip:`)),
        `the other counters are per address, <namespace>ip:<address>: ${counters.join(', ')}`,
      );
    } finally {
      await a.app.close();
      await b.app.close();
      await deletePrefix(REDIS_URL, prefix);
    }
  });
});

async function listKeys(pattern: string): Promise<string[]> {
  const r = new Redis(REDIS_URL);
  try {
    return await r.keys(pattern);
  } finally {
    r.disconnect();
  }
}
