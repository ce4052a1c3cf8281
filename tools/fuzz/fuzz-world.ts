/**
 * The world the fuzzer attacks: the real app (composeApp) over an embedded PGlite database with a
 * live campaign, slots, verified people, one booking, one admitted citizen and a logged-in
 * operator, listening on 127.0.0.1. Nothing here is mocked: the same composition production runs.
 */
import pino from 'pino';
import { composeApp } from '../../src/app/compose.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { makeRrn } from '../../src/people/rrn.ts';
import { identityHashOf } from '../../src/identity/identity-hash.ts';
import { insertPeople } from '../../src/people/people.repository.ts';
import { pgliteForTest, postgresForTest } from '../../test/support/databases.ts';
import { dateAfter, newFacility, newLiveCampaign, newSlotPair } from '../../test/support/factories.ts';
import { testConfig } from '../../test/support/services.ts';
import { admitted, joinQueue, verifyAs } from '../../test/support/queue.ts';
import type { FuzzCredentials } from './openapi-fuzz.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');
const PEOPLE = 12;

/**
 * `database: 'postgres'` uses a schema of its own in the test Postgres (TEST_DATABASE_URL); the
 * default is an embedded PGlite.
 */
export async function startFuzzWorld(o: { database?: 'pglite' | 'postgres' } = {}) {
  const tdb = o.database === 'postgres' ? (await postgresForTest(undefined))! : await pgliteForTest();
  const clock = fixedClock(NOW);
  const config = testConfig({ OPERATOR_ACCOUNTS: 'op:operator:op-password-1', IDENTITY_FAILURE_RATE: '0' });
  const people = Array.from({ length: PEOPLE }, (_, i) => ({
    rrn: makeRrn('1968-05-05', i % 2 ? 'M' : 'F', 5000 + i),
    name: `퍼징${i}`,
  }));
  await insertPeople(
    tdb.db,
    people.map((p) => ({
      identity_hash: identityHashOf(config.identityHmacKey, p.rrn.replace('-', '')),
      birth_date: '1968-05-05',
      name: p.name,
      phone: '010-0000-0000',
      region_code: 'KR-11',
    })),
  );
  const campaign = await newLiveCampaign(tdb.db, NOW);
  const slotIds: number[] = [];
  for (const code of ['F-FUZZ-1', 'F-FUZZ-2']) {
    const facility = await newFacility(tdb.db, code);
    for (const days of [3, 4])
      slotIds.push(
        (
          await newSlotPair(tdb.db, {
            campaignId: campaign.id,
            facilityId: facility.id,
            date: dateAfter(NOW, days),
            capacity: 1_000,
          })
        ).dose1.id,
      );
  }
  const { app, services } = await composeApp({ config, clock, logger: pino({ level: 'silent' }), database: tdb });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const origin = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

  const sessions = await Promise.all(people.map((p) => verifyAs(app, p.rrn, p.name)));
  // Everyone but the last two holds a booking: requests pair a session with its own booking number.
  const bookers = sessions.slice(0, -2);
  const citizens = [];
  for (const [i, session] of bookers.entries()) {
    const auth = await admitted(app, services, clock, campaign.id, session, `fuzz-device-booker-${i}`);
    const placed = await app.inject({
      method: 'POST',
      url: `/api/campaigns/${campaign.id}/bookings`,
      headers: { ...auth, 'idempotency-key': `fuzz-world-booking-${i}` },
      payload: { slotId: slotIds[i % slotIds.length] },
    });
    if (placed.statusCode !== 201) throw new Error(`fuzz world: booking answered ${placed.statusCode} ${placed.body}`);
    citizens.push({ authorization: session.authorization, bookingNumber: placed.json().bookingNumber as string });
  }
  const waiting = await admitted(app, services, clock, campaign.id, sessions.at(-2)!, 'fuzz-device-admitted');
  const queued = await joinQueue(app, campaign.id, sessions.at(-1)!, 'fuzz-device-queued');
  const login = await app.inject({
    method: 'POST',
    url: '/api/operator/login',
    payload: { username: 'op', password: 'op-password-1' },
  });
  const operator = {
    cookie: login.cookies.map((c) => `${c.name}=${c.value}`).join('; '),
    'x-csrf-token': login.json().csrfToken as string,
  };

  const credentials: FuzzCredentials = {
    campaignIds: [campaign.id, '2021-07-50-52', 'nope'],
    slotIds,
    citizens,
    admitted: waiting as unknown as Record<string, string>,
    queueTicket: queued.ticket,
    operator,
  };
  const doc = (await app.inject({ url: '/docs/json' })).json();
  return {
    origin,
    doc,
    credentials,
    app,
    /** Rows the fuzz must not have corrupted: every booking's seats are counted on its slots. */
    async close() {
      await app.close();
      await tdb.close();
    },
    db: tdb.db,
  };
}
