/**
 * The real edge: Debian's nginx with deploy/nginx/yeyak.conf.template, on 127.0.0.1, in front of
 * two yeyak app instances (one PGlite database, one Redis key prefix: two origin processes as far as
 * the queue is concerned). Over HTTP through nginx: a citizen verifies, joins, watches the public
 * snapshot until the cursor passes their place, claims the admission and books. 1,000 snapshot
 * requests in a burst reach the origins at most once per second of burst plus one; with the origins
 * down, the edge keeps answering the last snapshot. Per-address limits see the client's address
 * through the edge, and a forged X-Forwarded-For sent to an origin directly is not believed.
 * Under CI=true a missing nginx or Redis fails this test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServer, type Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { fixedClock } from '../../src/platform/clock.ts';
import { makeRrn } from '../../src/people/rrn.ts';
import { freePort } from '../../tools/bench/service.ts';
import { nginxSkipReason, startNginx, type RunningEdge } from '../../tools/edge/nginx.ts';
import { pgliteForTest, type TestDatabase } from '../support/databases.ts';
import { newBookableCampaign, newVerifiablePeople } from '../support/factories.ts';
import { REDIS_URL, deletePrefix, redisSkipReason, uniquePrefix } from '../support/redis.ts';
import { testApp, testConfig } from '../support/services.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');
const SNAPSHOT = '/api/campaigns/demo/queue/snapshot';
const PER_IP_PER_MINUTE = 5;
type Origin = Awaited<ReturnType<typeof testApp>>;
interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

/** One HTTP request from a chosen source address (127.0.0.x), so the edge sees distinct clients. */
async function call(
  base: string,
  path: string,
  o: { method?: 'GET' | 'POST'; headers?: Record<string, string>; json?: unknown; from?: string } = {},
): Promise<Reply> {
  // Top-level: undici 7 ignores `connect.localAddress` (every request then left from 127.0.0.1).
  const dispatcher = new Agent({ localAddress: o.from ?? '127.0.0.1' });
  try {
    const r = await request(`${base}${path}`, {
      method: o.method ?? 'GET',
      dispatcher,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
      headers: { ...o.headers, ...(o.json === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(o.json === undefined ? {} : { body: JSON.stringify(o.json) }),
    });
    // The edge gzips answers over 512 bytes when the client accepts it (the snapshot does, once it
    // carries a few fields more): read them as a browser would.
    const raw = Buffer.from(await r.body.arrayBuffer());
    const text = (r.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: r.statusCode, headers: r.headers, body, text };
  } finally {
    await dispatcher.close();
  }
}

/** Snapshot requests the origin answered (its own request metric), not counting the edge's cache hits. */
async function snapshotRequestsAt(origin: Origin): Promise<number> {
  const m = await origin.services.metrics.httpDuration.get();
  return m.values
    .filter(
      (v) =>
        v.metricName === 'http_request_duration_seconds_count' &&
        v.labels.route === '/api/campaigns/:campaignId/queue/snapshot',
    )
    .reduce((n, v) => n + v.value, 0);
}

const skip = nginxSkipReason() ?? (await redisSkipReason());

describe('the citizen journey through the nginx edge', () => {
  let tdb: TestDatabase;
  const clock = fixedClock(NOW);
  const prefix = uniquePrefix();
  const origins: Origin[] = [];
  let isOriginClosed = false;
  const closeOrigins = async () => {
    if (!isOriginClosed) {
      isOriginClosed = true;
      for (const o of origins) await o.app.close();
    }
  };
  let edge: RunningEdge;
  const people = [makeRrn('1968-05-05', 'F', 4321), makeRrn('1967-03-03', 'M', 1234)];
  const names = ['김하나', '이둘'];
  let slotId = 0;

  before(async () => {
    if (skip) return;
    tdb = await pgliteForTest();
    const key = testConfig().identityHmacKey;
    await newVerifiablePeople(
      tdb.db,
      key,
      people.map((rrn, i) => ({ rrn, name: names[i]!, birthDate: ['1968-05-05', '1967-03-03'][i]! })),
    );
    ({ slotId } = await newBookableCampaign(tdb.db, NOW, 'F-EDGE'));
    const env = {
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      TRUSTED_PROXIES: '127.0.0.1',
      QUEUE_PER_IP_PER_MINUTE: String(PER_IP_PER_MINUTE),
      COOKIE_SECURE: 'false',
    };
    for (let i = 0; i < 2; i += 1) {
      const origin = await testApp(tdb, clock, undefined, env);
      await origin.app.listen({ host: '127.0.0.1', port: 0 });
      origins.push(origin);
    }
    const upstreams = origins.map((o) => ({
      host: '127.0.0.1',
      port: (o.app.server.address() as { port: number }).port,
    }));
    edge = await startNginx({ host: '127.0.0.1', port: await freePort(), upstreams, webDir: testConfig().webDir });
  });

  after(async () => {
    if (skip) return;
    await edge?.stop();
    await closeOrigins();
    await tdb?.close();
    await deletePrefix(REDIS_URL, prefix);
  });

  /** What the admission loop does each second, on the leader (ticks) and on every process (refresh). */
  async function admissionSecond() {
    clock.advance(1_000);
    await origins[0]!.services.waitingRoom.service.tick('demo', origins[0]!.services.monitor.health());
    for (const o of origins) await o.services.waitingRoom.service.refreshSnapshot('demo');
  }

  async function verifyAndJoin(i: number, deviceId: string) {
    const verified = await call(edge.origin, '/api/identity/verify', {
      method: 'POST',
      json: { providerId: 'pass', rrn: people[i], name: names[i] },
    });
    assert.equal(verified.status, 200, verified.text);
    const auth = { authorization: `Bearer ${verified.body.sessionToken as string}` };
    const joined = await call(edge.origin, '/api/campaigns/demo/queue', {
      method: 'POST',
      headers: auth,
      json: { deviceId },
    });
    assert.equal(joined.status, 200, joined.text);
    const cookie = String(joined.headers['set-cookie']).split(';')[0]!;
    assert.match(cookie, /^yeyak_dev=/);
    return { auth, cookie, ticket: joined.body.ticket as string };
  }

  it(
    'verifies, joins, sees the cursor pass its place in the public snapshot, claims and books — all through nginx',
    { skip: skip ?? false },
    async () => {
      const index = await call(edge.origin, '/');
      assert.equal(index.status, 200);
      assert.match(index.text, /<div id="root">|<script/, 'the citizen site comes from disk through the edge');
      const c = await verifyAndJoin(0, 'device-edge-0001');
      const seq = JSON.parse(Buffer.from(c.ticket.split('.')[0]!, 'base64url').toString()).s as number;
      let snap: Reply | null = null;
      for (let second = 0; second < 20; second += 1) {
        await admissionSecond();
        await sleep(1_100); // the edge keeps a snapshot for one second
        snap = await call(edge.origin, SNAPSHOT, { headers: { cookie: c.cookie, 'accept-encoding': 'gzip' } });
        assert.equal(snap.status, 200, snap.text);
        if (snap.body.partitions[0].cursor >= seq) break;
      }
      assert.ok(snap && snap.body.partitions[0].cursor >= seq, 'the cursor passed the place within 20 s of admission');
      assert.equal(snap.headers['cache-control'], 'public, max-age=1, stale-while-revalidate=5, stale-if-error=60');
      assert.equal(snap.headers['set-cookie'], undefined);
      const status = await call(edge.origin, '/api/campaigns/demo/queue/status', {
        headers: { ...c.auth, cookie: c.cookie, 'x-queue-ticket': c.ticket },
      });
      assert.equal(status.body.state, 'admitted', status.text);
      const admitted = { ...c.auth, cookie: c.cookie, 'x-admission-token': status.body.admission.token as string };
      const eligibility = await call(edge.origin, '/api/campaigns/demo/eligibility', { headers: admitted });
      assert.equal(eligibility.body.status, 'eligible', eligibility.text);
      const booked = await call(edge.origin, '/api/campaigns/demo/bookings', {
        method: 'POST',
        headers: { ...admitted, 'idempotency-key': 'edge-journey-0001' },
        json: { slotId },
      });
      assert.equal(booked.status, 201, booked.text);
      const row = await tdb.db
        .selectFrom('bookings')
        .select(['status', 'dose1_slot_id'])
        .where('booking_number', '=', booked.body.bookingNumber)
        .executeTakeFirstOrThrow();
      assert.deepEqual(row, { status: 'active', dose1_slot_id: slotId });
    },
  );

  it(
    'lets 1,000 snapshot requests in a burst reach the origins at most once per second of burst, plus one',
    { skip: skip ?? false },
    async (t) => {
      await sleep(2_100); // whatever the edge holds has expired (nginx counts whole seconds)
      const before = (await Promise.all(origins.map(snapshotRequestsAt))).reduce((a, b) => a + b, 0);
      const pool = new Agent({ connections: 64, pipelining: 1 });
      const started = performance.now();
      const statuses = await Promise.all(
        Array.from({ length: 1_000 }, () =>
          request(`${edge.origin}${SNAPSHOT}`, { dispatcher: pool }).then(async (r) => {
            await r.body.dump();
            return `${r.statusCode} ${r.headers['x-cache']}`;
          }),
        ),
      );
      const elapsedMs = performance.now() - started;
      await pool.close();
      await sleep(300); // the origin counts a request when its response has been written (onResponse)
      const reached = (await Promise.all(origins.map(snapshotRequestsAt))).reduce((a, b) => a + b, 0) - before;
      const classes = new Map<string, number>();
      for (const x of statuses) classes.set(x, (classes.get(x) ?? 0) + 1);
      t.diagnostic(`answers by X-Cache: ${JSON.stringify([...classes])}`);
      assert.ok(
        statuses.every((x) => x.startsWith('200 ')),
        'every request answered 200',
      );
      const allowed = Math.ceil(elapsedMs / 1_000) + 1;
      t.diagnostic(
        `1,000 snapshot requests through the edge in ${Math.round(elapsedMs)} ms; the origins answered ${reached}`,
      );
      assert.ok(
        reached >= 1 && reached <= allowed,
        `1,000 requests in ${Math.round(elapsedMs)} ms reached the origins ${reached} times (at most ${allowed})`,
      );
      if (elapsedMs <= 1_000) assert.ok(reached <= 2, 'within one second: at most twice');
    },
  );

  it(
    'counts per-address limits by the client address the edge saw, and believes X-Forwarded-For only from the edge',
    { skip: skip ?? false },
    async () => {
      const c = await verifyAndJoin(1, 'device-edge-0002');
      const poll = (base: string, from: string, extra: Record<string, string> = {}) =>
        call(base, '/api/campaigns/demo/queue/status', {
          from,
          headers: { ...c.auth, cookie: c.cookie, 'x-queue-ticket': c.ticket, ...extra },
        });
      // Poll limits are per process; the edge spreads requests over both origins.
      let refusedAfter = 0;
      for (let i = 1; i <= 2 * PER_IP_PER_MINUTE + 2; i += 1) {
        const r = await poll(edge.origin, '127.0.0.2');
        if (r.status === 429) {
          refusedAfter = i;
          assert.ok(Number(r.headers['retry-after']) > 0);
          break;
        }
        assert.equal(r.status, 200, r.text);
      }
      assert.ok(refusedAfter > PER_IP_PER_MINUTE, `127.0.0.2 was limited after ${refusedAfter - 1} polls`);
      const other = await poll(edge.origin, '127.0.0.3');
      assert.equal(other.status, 200, `another address through the same edge is not limited: ${other.text}`);
      for (const o of origins) {
        const direct = `http://127.0.0.1:${(o.app.server.address() as { port: number }).port}`;
        const forged = await poll(direct, '127.0.0.4', { 'x-forwarded-for': '127.0.0.2' });
        assert.equal(forged.status, 200, 'a client that is not the edge cannot borrow another address');
      }
    },
  );

  it(
    "answers joins beyond its join rate itself, with the service's queue-busy problem and Retry-After",
    { skip: skip ?? false },
    async () => {
      const upstreams = origins.map((o) => ({
        host: '127.0.0.1',
        port: (o.app.server.address() as { port: number }).port,
      }));
      const strict = await startNginx({
        host: '127.0.0.1',
        port: await freePort(),
        upstreams,
        webDir: testConfig().webDir,
        joinRatePerSec: 1,
        joinBurst: 1,
      });
      try {
        // No session: a join the edge lets through is refused by the origin (401); the rest never reach it.
        const answers = [];
        for (let i = 0; i < 10; i += 1)
          answers.push(
            await call(strict.origin, '/api/campaigns/demo/queue', {
              method: 'POST',
              json: { deviceId: 'device-edge-busy' },
            }),
          );
        const atEdge = answers.filter((r) => r.status === 429);
        assert.ok(atEdge.length >= 7, `refused at the edge: ${atEdge.length} of 10 (rate 1/s, burst 1)`);
        assert.ok(
          answers.filter((r) => r.status !== 429).every((r) => r.status === 401),
          'the ones let through reached the origin',
        );
        for (const r of atEdge) {
          assert.equal(r.body.code, 'queue-busy');
          assert.match(String(r.headers['content-type']), /application\/problem\+json/);
          assert.ok(Number(r.headers['retry-after']) >= 5, 'Retry-After spreads the return');
        }
        assert.equal((await call(strict.origin, SNAPSHOT)).status, 200, 'reads are not counted against joins');
      } finally {
        await strict.stop();
      }
    },
  );

  it(
    'answers a join itself within a second when the origin hangs, with queue-busy and Retry-After',
    { skip: skip ?? false },
    async () => {
      // An origin that accepts connections and reads requests but never answers (a process stuck
      // behind a backlog, a hung event loop).
      const sockets = new Set<Socket>();
      const hung = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
      const slow = await startNginx({
        host: '127.0.0.1',
        port: await freePort(),
        upstreams: [{ host: '127.0.0.1', port: (hung.address() as { port: number }).port }],
        webDir: testConfig().webDir,
      });
      try {
        const started = performance.now();
        const r = await call(slow.origin, '/api/campaigns/demo/queue', {
          method: 'POST',
          json: { deviceId: 'device-edge-hung' },
        });
        const ms = performance.now() - started;
        assert.equal(r.status, 429, r.text);
        assert.equal(r.body.code, 'queue-busy');
        assert.equal(r.headers['x-edge-refusal'], 'slow-origin');
        assert.ok(Number(r.headers['retry-after']) >= 5, 'Retry-After spreads the return');
        assert.ok(ms < 1_000, `answered in ${ms.toFixed(0)} ms`);
      } finally {
        await slow.stop();
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => hung.close(() => resolve()));
      }
    },
  );

  it('keeps answering the last snapshot while every origin is down', { skip: skip ?? false }, async () => {
    const fresh = await call(edge.origin, SNAPSHOT);
    assert.equal(fresh.status, 200);
    await closeOrigins();
    await sleep(2_100); // nginx keeps time in whole seconds: max-age=1 expires within 1-2 s
    const stale = await call(edge.origin, SNAPSHOT);
    assert.equal(stale.status, 200, stale.text);
    assert.ok(
      ['STALE', 'UPDATING'].includes(String(stale.headers['x-cache'])),
      `served from the expired entry (X-Cache ${String(stale.headers['x-cache'])})`,
    );
    // The queue as the last answer said it (the rate band's estimates may have been refreshed by a
    // background update between the two reads; the places in the queue cannot have moved).
    const places = (b: { partitions: Record<string, unknown>[] }) =>
      b.partitions.map(({ partition, cursor, tail, frozen, waiting }) => ({
        partition,
        cursor,
        tail,
        frozen,
        waiting,
      }));
    assert.deepEqual(places(stale.body), places(fresh.body));
    const personal = await call(edge.origin, '/api/campaigns/demo/queue/status');
    assert.ok(personal.status >= 500, 'personal requests are never answered from a cache');
  });
});
