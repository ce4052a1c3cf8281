/**
 * Fault tests against a real yeyak server on real Postgres: the production composition in this
 * process, listening on a free port of 127.0.0.1, its database opened exactly as server.ts opens it
 * (pool, timeouts, availability probe) in a schema of its own, with an application_name of its own
 * so a test can find and hurt only this server's backends (never anything else on the machine).
 * Citizens drive it over HTTP and record every answer.
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { composeApp, type Services } from '../../src/app/compose.ts';
import { DEMO_POPULATION_SEED, seedDemo } from '../../src/app/seed.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { openDatabase, serviceDatabaseOptions, type DatabaseHandle } from '../../src/platform/db.ts';
import type { Config } from '../../src/platform/config.ts';
import { generatePopulation } from '../../src/synthetic/population.ts';
import { postgresForTest, TEST_DATABASE_URL, type TestDatabase } from './databases.ts';
import { testConfig } from './services.ts';

export interface FaultServer {
  baseUrl: string;
  config: Config;
  database: DatabaseHandle;
  services: Services;
  /** Runs SQL as the test (an admin connection outside the service's pool). */
  admin: pg.Client;
  /** Terminates every backend of this server's pool; returns how many there were. */
  terminateBackends(): Promise<number>;
  /** Holds ACCESS EXCLUSIVE locks on `tables` from another connection until the returned function is called. */
  lockTables(tables: readonly string[]): Promise<() => Promise<void>>;
  person(index: number): { rrn: string; name: string };
  population: number;
  close(): Promise<void>;
}

export async function startFaultServer(
  t: TestContext,
  env: Record<string, string> = {},
  population = 400,
): Promise<FaultServer | undefined> {
  const tdb: TestDatabase | undefined = await postgresForTest(t, 4);
  if (!tdb) return undefined;
  const applicationName = `yeyak-fault-${randomBytes(4).toString('hex')}`;
  const config = testConfig({
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_POOL_SIZE: '8',
    DEMO_POPULATION: String(population),
    DEMO_FACILITIES: '20',
    DEMO_SLOT_DAYS: '2',
    DEMO_OPENS_IN_MS: '0',
    COOKIE_SECURE: 'false',
    ...env,
  });
  const log = pino({ level: 'silent' });
  const database = await openDatabase({
    ...serviceDatabaseOptions(config, null, () => {}),
    schema: tdb.schema!,
    applicationName,
  });
  const { app, services } = await composeApp({ config, clock: systemClock, logger: log, database });
  await seedDemo({ db: database.db, config, clock: systemClock, campaigns: services.campaigns, log });
  await services.waitingRoom.syncRooms();
  const stopQueue = services.waitingRoom.start(() => services.monitor.health(), log);
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${tdb.schema}` });
  await admin.connect();
  const people = [...generatePopulation({ size: population, seed: DEMO_POPULATION_SEED })];
  return {
    baseUrl,
    config,
    database,
    services,
    admin,
    population,
    async terminateBackends() {
      const r = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
        [applicationName],
      );
      return r.rowCount ?? 0;
    },
    async lockTables(tables) {
      const locker = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${tdb.schema}` });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE ${tables.join(', ')} IN ACCESS EXCLUSIVE MODE`);
      return async () => {
        await locker.query('COMMIT');
        await locker.end();
      };
    },
    person(index) {
      const p = people[index];
      if (!p) throw new Error(`no demo person ${index}`);
      return { rrn: p.rrn, name: p.name };
    },
    async close() {
      await stopQueue();
      await app.close();
      await admin.end();
      await database.close();
      await tdb.close();
    },
  };
}

/** One answer a citizen saw: when it was asked (ms since epoch), how long it took, what it was. */
export interface Answer {
  what: 'verify' | 'my-bookings' | 'slots' | 'book';
  atMs: number;
  tookMs: number;
  status: number;
  /** problem+json `code` of an error answer. */
  code?: string;
  retryAfter?: string | null;
  bookingNumber?: string;
}

async function ask(
  baseUrl: string,
  what: Answer['what'],
  path: string,
  init: RequestInit = {},
): Promise<Answer & { body: any }> {
  const atMs = Date.now();
  try {
    const res = await fetch(`${baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(20_000) });
    const body = await res.json().catch(() => null);
    return {
      what,
      atMs,
      tookMs: Date.now() - atMs,
      status: res.status,
      code: body?.code,
      retryAfter: res.headers.get('retry-after'),
      body,
    };
  } catch (e) {
    // No answer at all (connection refused or reset, or 20 s without one): status 0.
    return { what, atMs, tookMs: Date.now() - atMs, status: 0, code: (e as Error).message, body: null };
  }
}

/**
 * `citizens` people, each in a loop until `stop()`: verify, look at "my bookings", search slots, book
 * once (then only look). After a 503 a citizen waits `backoffMs` as a client honouring it would.
 */
export function runCitizens(server: FaultServer, citizens: number, backoffMs = 50) {
  const answers: Answer[] = [];
  let stopping = false;
  const json = { 'content-type': 'application/json' };
  // Each round a citizen acts as the next person of the population, spreading the traffic over
  // identities. A test's 10 s of traffic now verifies each person 8-10 times (2,800-3,600
  // verifications for 400 people, 2026-11-30), at the per-identity limit (10 a minute), so person 0
  // is left out: a check after the traffic verifies as them without meeting that limit.
  const booked = new Set<number>();
  async function citizen(i: number) {
    for (let round = 0; !stopping; round += 1) {
      const who = 1 + ((i + citizens * round) % (server.population - 1));
      const v = await ask(server.baseUrl, 'verify', '/api/identity/verify', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ providerId: 'pass', ...server.person(who) }),
      });
      answers.push(v);
      if (v.status !== 200) {
        await pause(v);
        continue;
      }
      const auth = { authorization: `Bearer ${v.body.sessionToken}` };
      const mine = await ask(server.baseUrl, 'my-bookings', '/api/bookings', { headers: auth });
      answers.push(mine);
      if (mine.status === 200 && mine.body.bookings.length > 0) booked.add(who);
      if (booked.has(who) || mine.status !== 200) {
        await pause(mine);
        continue;
      }
      const s = await ask(server.baseUrl, 'slots', '/api/campaigns/demo/slots?limit=20', { headers: auth });
      answers.push(s);
      const slots = s.status === 200 ? (s.body.slots as { slotId: number }[]) : [];
      if (slots.length === 0) {
        await pause(s);
        continue;
      }
      const slotId = slots[who % slots.length]!.slotId;
      const b = await ask(server.baseUrl, 'book', '/api/campaigns/demo/bookings', {
        method: 'POST',
        headers: { ...json, ...auth, 'idempotency-key': `fault-${who}-${slotId}` },
        body: JSON.stringify({ slotId }),
      });
      answers.push(b.status === 201 || b.status === 200 ? { ...b, bookingNumber: b.body.bookingNumber } : b);
      if (b.status === 201 || b.status === 200) booked.add(who);
      await pause(b);
    }
  }
  const pause = (a: Answer) =>
    new Promise((r) => setTimeout(r, a.status >= 500 || a.status === 0 || a.status === 429 ? backoffMs : 5));
  const running = Promise.all(Array.from({ length: citizens }, (_, i) => citizen(i)));
  return {
    answers,
    async stop() {
      stopping = true;
      await running;
      return answers;
    },
  };
}

/** Polls /readyz every `everyMs`; returns the (time, ready) samples seen. */
export function watchReadiness(baseUrl: string, everyMs = 50) {
  const samples: { atMs: number; isReady: boolean; tookMs: number }[] = [];
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      const atMs = Date.now();
      const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(10_000) }).catch(() => null);
      samples.push({ atMs, isReady: res?.status === 200, tookMs: Date.now() - atMs });
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    samples,
    async stop() {
      stopping = true;
      await loop;
      return samples;
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
