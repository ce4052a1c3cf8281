/**
 * kill -9 during a burst of concurrent bookings over HTTP (issue 11): one server process on its own
 * Postgres schema and Redis prefix; 1,050 admitted people send their bookings at once; the process
 * is killed (SIGKILL) once a quarter of them have an answer, restarted, and everyone without an
 * answer retries with the same idempotency key, then everyone retries once more. After the outbox
 * drains: no booking a client was told about is missing, no confirmation names a booking that does
 * not exist, every booking was confirmed, and every booking is what a retry with its key returns.
 * Traffic goes to 127.0.0.1 only; every wait has a deadline. Under CI=true a missing Postgres or
 * Redis fails the test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { DEMO_POPULATION_SEED } from '../../src/app/seed.ts';
import { generatePopulation } from '../../src/synthetic/population.ts';
import { dropSchema } from '../../src/platform/db.ts';
import { isCi, TEST_DATABASE_URL } from '../support/databases.ts';
import { deletePrefix, REDIS_URL, redisSkipReason, uniquePrefix } from '../support/redis.ts';
import {
  call,
  freePort,
  inBatches,
  startServerProcess,
  stopServerProcess,
  waitUntil,
  type Reply,
  type ServerProcess,
} from '../support/server-process.ts';

/** Accepted confirmations marked sent per statement: the most the killed sender may have sent unmarked. */
const MARK_EVERY = 8;

const PEOPLE = 1_050;
const KILL_AFTER_ANSWERS = Math.floor(PEOPLE / 4);

async function skipReason(): Promise<string | null> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await c.connect();
  } catch (e) {
    if (isCi) throw new Error(`Postgres at ${TEST_DATABASE_URL} is required under CI: ${(e as Error).message}`);
    return `Postgres unreachable (${(e as Error).message})`;
  } finally {
    await c.end().catch(() => {});
  }
  return redisSkipReason();
}

interface Client {
  i: number;
  key: string;
  headers: Record<string, string>;
  ticket: string;
  slotId: number;
  answers: (Reply | 'no-answer')[];
}

const skip = await skipReason();

describe('a server killed with SIGKILL in the middle of 1,050 concurrent bookings', { skip: skip ?? false }, () => {
  const schema = `t_crash_${process.pid}_${Date.now().toString(36)}`;
  const keyPrefix = uniquePrefix();
  const dataDir = mkdtempSync(join(tmpdir(), 'yeyak-crash-'));
  const outboxFile = join(dataDir, 'outbox-sent.jsonl');
  let server: ServerProcess | undefined;
  let port = 0;
  let env: Record<string, string> = {};
  const db = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });

  async function start() {
    server = startServerProcess('src/server.ts', env);
    await waitUntil(
      'the server',
      120_000,
      async () => ((await call(port, 'GET', '/readyz')).status === 200 ? true : null),
      server,
    );
  }

  before(async () => {
    await db.connect();
    await db.query(`create schema "${schema}"`);
    port = await freePort();
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    env = {
      PORT: String(port),
      DATABASE_URL: url.toString(),
      DATABASE_POOL_SIZE: '12',
      REDIS_URL,
      REDIS_KEY_PREFIX: keyPrefix,
      IDENTITY_HMAC_KEY: 'crash-test-identity-hmac-key-0123456789',
      SIGNING_SECRET: 'crash-test-signing-secret-0123456789abc',
      DATA_DIR: dataDir,
      OUTBOX_CHANNEL: 'file',
      OUTBOX_FILE: outboxFile,
      OUTBOX_POLL_MS: '100',
      OUTBOX_CLAIM_LEASE_MS: '1000',
      OUTBOX_MARK_EVERY: String(MARK_EVERY),
      LOG_LEVEL: 'warn',
      IDENTITY_LATENCY_MS: '0',
      COOKIE_SECURE: 'false',
      JOIN_SHED_EVENT_LOOP_DELAY_MS: '0',
      DEMO_POPULATION: '1500',
      DEMO_FACILITIES: '70',
      DEMO_SLOT_DAYS: '1',
      DEMO_OPENS_IN_MS: '0',
      ADMISSION_INITIAL_RATE_PER_SEC: '500',
    };
    await start();
  });

  after(async () => {
    await stopServerProcess(server);
    await db.end().catch(() => {});
    await dropSchema(TEST_DATABASE_URL, schema).catch(() => {});
    await deletePrefix(REDIS_URL, keyPrefix).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Verifies and joins the queue, waiting out a 429 as the site does. */
  async function enter(p: { rrn: string; name: string }, i: number): Promise<Client> {
    const v = await call(port, 'POST', '/api/identity/verify', {}, { providerId: 'pass', rrn: p.rrn, name: p.name });
    assert.equal(v.status, 200, JSON.stringify(v.body));
    const auth = { authorization: `Bearer ${v.body.sessionToken}` };
    for (let attempt = 0; ; attempt++) {
      const joined = await call(port, 'POST', '/api/campaigns/demo/queue', auth, { deviceId: `crash-device-${i}` });
      if (joined.status === 429 && attempt < 10) {
        await sleep(1_000 * Number(joined.headers['retry-after'] ?? 1));
        continue;
      }
      assert.equal(joined.status, 200, JSON.stringify(joined.body));
      const cookie = joined.cookies.map((c) => c.split(';')[0]).join('; ');
      return {
        i,
        key: `crash-key-${i}`,
        headers: { ...auth, cookie },
        ticket: joined.body.ticket,
        slotId: 0,
        answers: [],
      };
    }
  }

  async function awaitAdmission(c: Client): Promise<void> {
    await waitUntil(`admission of person ${c.i}`, 120_000, async () => {
      const r = await call(port, 'GET', '/api/campaigns/demo/queue/status', {
        ...c.headers,
        'x-queue-ticket': c.ticket,
      });
      if (r.status === 429) {
        await sleep(1_000);
        return null;
      }
      if (r.status !== 200) throw new Error(`poll ${r.status} ${JSON.stringify(r.body)}`);
      c.ticket = r.body.ticket ?? c.ticket;
      if (r.body.state !== 'admitted') {
        await sleep(r.body.nextPollMs ?? 1_000);
        return null;
      }
      c.headers['x-admission-token'] = r.body.admission.token;
      return true;
    });
  }

  /** Dose-1 seats by rotation group (null = anyone), handed out so most people get a seat. */
  async function planSlots(clients: Client[], birthDates: string[]) {
    const { rows } = await db.query<{ id: string; rotation_group: number | null; capacity: number }>(
      `select id, rotation_group, capacity from slots where campaign_id = 'demo' and dose = 1 order by id`,
    );
    const left = rows.map((r) => ({ id: Number(r.id), group: r.rotation_group, free: r.capacity }));
    for (const c of clients) {
      const digit = Number(birthDates[c.i]!.slice(8, 10)) % 10;
      const fits = left.find((s) => s.free > 0 && (s.group === null || s.group === digit)) ?? left[c.i % left.length]!;
      fits.free -= 1;
      c.slotId = fits.id;
    }
  }

  const book = (c: Client) =>
    call(
      port,
      'POST',
      '/api/campaigns/demo/bookings',
      { ...c.headers, 'idempotency-key': c.key },
      { slotId: c.slotId },
      60_000,
    ).catch((): 'no-answer' => 'no-answer');

  it(
    'loses no booking, confirms only bookings that exist, and answers every retry with its booking',
    { timeout: 600_000 },
    async (t) => {
      const people = [...generatePopulation({ size: 1_500, seed: DEMO_POPULATION_SEED })]
        .filter((p) => p.birthDate >= '1940-01-01' && p.birthDate <= '2007-12-31')
        .slice(0, PEOPLE);
      assert.equal(people.length, PEOPLE);
      const clients = await inBatches(
        people.map((p, i) => ({ p, i })),
        32,
        ({ p, i }) => enter(p, i),
      );
      await inBatches(clients, 64, awaitAdmission);
      await planSlots(
        clients,
        people.map((p) => p.birthDate),
      );

      // The burst: every booking in flight at once; SIGKILL once a quarter have their answer.
      let answered = 0;
      let unansweredAtKill = -1;
      let answeredBeforeKill = 0;
      const killed = new Promise<void>((resolve) => {
        const burst = clients.map(async (c) => {
          const r = await book(c);
          c.answers.push(r);
          if (r !== 'no-answer' && ++answered === KILL_AFTER_ANSWERS) {
            answeredBeforeKill = answered;
            unansweredAtKill = PEOPLE - answered;
            server!.child.kill('SIGKILL');
            resolve();
          }
        });
        void Promise.all(burst).then(() => resolve());
      });
      await killed;
      await waitUntil('the killed server to exit', 10_000, async () =>
        server!.child.signalCode !== null ? true : null,
      );
      await sleep(500);
      assert.ok(unansweredAtKill > 0, `the kill came while bookings were in flight (${answered} answered before it)`);
      // Bookings that committed but whose client got no answer: only a retry with the key tells them.
      const {
        rows: [committed],
      } = await db.query<{ n: number }>(`select count(*)::int as n from bookings where campaign_id = 'demo'`);
      const committedUnanswered =
        committed!.n -
        clients.filter((c) => c.answers[0] !== 'no-answer' && (c.answers[0] as Reply).status === 201).length;
      await start();

      // Everyone without an answer (or with a 5xx) retries with the same key until answered.
      const unanswered = (c: Client) => {
        const a = c.answers.at(-1);
        return a === undefined || a === 'no-answer' || a.status >= 500;
      };
      for (let round = 0; round < 20 && clients.some(unanswered); round++) {
        await inBatches(clients.filter(unanswered), 100, async (c) => {
          c.answers.push(await book(c));
        });
        if (clients.some(unanswered)) await sleep(500);
      }
      assert.deepEqual(
        clients.filter(unanswered).map((c) => c.i),
        [],
        'everyone has an answer after the restart',
      );
      // And everyone retries once more, as a client whose answer was lost would.
      const finalAnswers = await inBatches(clients, 100, book);

      const { rows: bookings } = await db.query<{ id: string; booking_number: string; idempotency_key: string }>(
        `select id, booking_number, idempotency_key from bookings where campaign_id = 'demo' and status = 'active'`,
      );
      const byKey = new Map(bookings.map((b) => [b.idempotency_key, b.booking_number]));
      const numbers = new Set(bookings.map((b) => b.booking_number));
      const seen2xx = clients.flatMap((c) =>
        c.answers
          .filter((a): a is Reply => a !== 'no-answer' && a.status >= 200 && a.status < 300)
          .map((a) => ({ c, number: a.body.bookingNumber as string })),
      );
      const lost = seen2xx.filter((s) => !numbers.has(s.number) || byKey.get(s.c.key) !== s.number);
      const returnedByRetry = clients.filter(
        (c, k) =>
          byKey.has(c.key) &&
          finalAnswers[k] !== 'no-answer' &&
          (finalAnswers[k] as Reply).status === 201 &&
          (finalAnswers[k] as Reply).body.bookingNumber === byKey.get(c.key),
      );
      const wrongFinal = clients.filter(
        (c, k) =>
          !byKey.has(c.key) &&
          (finalAnswers[k] === 'no-answer' ||
            (finalAnswers[k] as Reply).status < 400 ||
            (finalAnswers[k] as Reply).status >= 500),
      );

      // The outbox drains on the restarted server (the dead one's claims come due after their lease).
      await waitUntil('the outbox to drain', 120_000, async () => {
        const { rows } = await db.query<{ n: number }>(
          `select count(*)::int as n from outbox where sent_at is null and failed_at is null`,
        );
        return rows[0]!.n === 0 ? true : null;
      });
      const { rows: outbox } = await db.query<{ id: string; booking_id: string; sent: boolean }>(
        `select o.id, o.booking_id, o.sent_at is not null as sent from outbox o where o.kind = 'booking-confirmed'`,
      );
      const outboxById = new Map(outbox.map((o) => [Number(o.id), o]));
      const bookingById = new Map(bookings.map((b) => [Number(b.id), b.booking_number]));
      const lines = readFileSync(outboxFile, 'utf8')
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as { outboxId: number; text: { en: string } });
      const withoutBooking = lines.filter((l) => {
        const number = bookingById.get(Number(outboxById.get(l.outboxId)?.booking_id));
        return number === undefined || !l.text.en.includes(number);
      });
      const deliveredIds = new Set(lines.map((l) => l.outboxId));
      const unconfirmed = bookings.filter(
        (b) => !outbox.some((o) => Number(o.booking_id) === Number(b.id) && o.sent && deliveredIds.has(Number(o.id))),
      );
      const {
        rows: [seats],
      } = await db.query<{ d1: number; d2: number }>(
        `select sum(booked) filter (where dose = 1)::int as d1, sum(booked) filter (where dose = 2)::int as d2 from slots where campaign_id = 'demo'`,
      );

      const counts = {
        people: PEOPLE,
        answeredBeforeKill,
        unansweredAtKill,
        committedAtKill: committed!.n,
        committedUnanswered,
        bookings: bookings.length,
        clients2xx: new Set(seen2xx.map((s) => s.number)).size,
        lost: lost.length,
        returnedByRetry: returnedByRetry.length,
        wrongFinal: wrongFinal.length,
        confirmationsSent: lines.length,
        confirmationsWithoutBooking: withoutBooking.length,
        unconfirmedBookings: unconfirmed.length,
        repeatedConfirmations: lines.length - deliveredIds.size,
        seatsDose1: seats!.d1,
        seatsDose2: seats!.d2,
      };
      t.diagnostic(`kill -9 counts: ${JSON.stringify(counts)}`);
      assert.equal(lost.length, 0, 'every 2xx a client saw is a booking in the database, under its key');
      assert.equal(
        returnedByRetry.length,
        bookings.length,
        'every booking is returned by a retry with its idempotency key',
      );
      assert.equal(wrongFinal.length, 0, 'people without a booking get a 4xx on retry, never a 2xx or 5xx');
      assert.equal(withoutBooking.length, 0, 'no confirmation for a booking that does not exist');
      assert.equal(unconfirmed.length, 0, 'every booking confirmed');
      assert.ok(
        counts.repeatedConfirmations <= MARK_EVERY,
        `at most one mark window (${MARK_EVERY} messages) is sent twice (${counts.repeatedConfirmations})`,
      );
      assert.deepEqual(
        [seats!.d1, seats!.d2],
        [bookings.length, bookings.length],
        'seats taken = bookings, both doses',
      );
      assert.ok(bookings.length >= PEOPLE * 0.9, `most people booked (${bookings.length})`);
    },
  );
});
