/**
 * The real app in ONE process for the in-process front-door benches (front-door-inject,
 * front-door-socketless): composeApp over an in-memory PGlite, the waiting room in memory, the demo
 * seed (POPULATION people, 20 facilities, open at once), an identity provider that answers at once,
 * 127.0.0.1 trusted for X-Forwarded-For, and sessions for the demo cohort signed with its secret.
 * `root` is the checkout whose src/ is run (another commit's tree for an A/B in one process).
 */
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { DEMO_COHORT, mintSessions } from './citizens.ts';

export const POPULATION = 20_000;

const HERE = new URL('../../', import.meta.url).pathname;

export async function inProcessApp(root: string = HERE): Promise<{
  app: FastifyInstance;
  sessions: string[];
  close(): Promise<void>;
}> {
  const src = (p: string) => import(`${root.replace(/\/?$/, '/')}src/${p}`);
  const { composeApp } = await src('app/compose.ts');
  const { seedDemo } = await src('app/seed.ts');
  const { systemClock } = await src('platform/clock.ts');
  const { loadConfig } = await src('platform/config.ts');
  const { migrate, openDatabase } = await src('platform/db.ts');
  const secret = 'inject-bench-signing-secret-0123456789abcdef';
  const config = loadConfig({
    DATA_DIR: '/tmp',
    IDENTITY_HMAC_KEY: 'inject-bench-hmac-key-0123456789abcdefghij',
    SIGNING_SECRET: secret,
    IDENTITY_LATENCY_MS: '0',
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'true',
    DEMO_POPULATION: String(POPULATION),
    DEMO_FACILITIES: '20',
    DEMO_SLOT_DAYS: '1',
    DEMO_OPENS_IN_MS: '0',
    JOIN_SHED_EVENT_LOOP_DELAY_MS: '0',
    TRUSTED_PROXIES: '127.0.0.1',
  });
  const database = await openDatabase({ databaseUrl: null, pgliteDir: null });
  await migrate(database);
  const log = pino({ level: 'warn' });
  const { app, services } = await composeApp({ config, clock: systemClock, logger: log, database });
  await seedDemo({ db: database.db, config, clock: systemClock, campaigns: services.campaigns, log });
  await services.waitingRoom.syncRooms();
  await app.ready();
  const people = (await database.db
    .selectFrom('people')
    .select(['id', 'identity_hash'])
    .where('birth_date', '>=', DEMO_COHORT.bornFrom)
    .where('birth_date', '<=', DEMO_COHORT.bornTo)
    .orderBy('id')
    .execute()) as { id: number; identity_hash: string }[];
  const sessions = await mintSessions(
    secret,
    people.map((p) => ({ id: p.id, identityHash: p.identity_hash })),
  );
  return {
    app,
    sessions,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}
