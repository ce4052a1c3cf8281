/**
 * New bookings written in batches (kysely-booking-store.ts with `batch`, migration 0010) on real
 * Postgres, and the batch's SQL on PGlite: every test first checks that the writes it names went
 * out as one batch, then what each caller got and what the database holds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import pg from 'pg';
import { pgliteForTest, postgresForTest, TEST_DATABASE_URL, type TestDatabase } from '../../test/support/databases.ts';
import {
  newBookingRow,
  newFacility,
  newLiveCampaign,
  newPeople,
  newSlotPair,
  dateAfter,
} from '../../test/support/factories.ts';
import { kyselyBookingStores } from './kysely-booking-store.ts';
import type { NewBooking, SeatedWrite, SeatedWriteResult } from './booking.store.ts';
import { findPersonById } from '../people/people.repository.ts';
import { findFacilityById } from '../facilities/facilities.repository.ts';
import { openDatabase, type DatabaseHandle } from '../platform/db.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');

type Fixture = Awaited<ReturnType<typeof fixture>>;

/** What each write of `mixedBatch` gets, in call order. */
const MIXED_OUTCOMES = [
  'ok',
  'already-booked',
  'idempotency-key-used',
  'ok',
  'admission-used',
  'dose2-unavailable',
  'error 23503',
  'ok',
  'slot-full',
];

async function fixture(
  db: TestDatabase['db'],
  campaignId: string,
  capacity: number,
  o: { dose2Capacity?: number } = {},
) {
  await newLiveCampaign(db, NOW, { id: campaignId });
  const facility = await newFacility(db);
  const pair = await newSlotPair(db, {
    campaignId,
    facilityId: facility.id,
    date: dateAfter(NOW, 5),
    capacity,
    ...(o.dose2Capacity === undefined ? {} : { dose2Capacity: o.dose2Capacity }),
  });
  return { campaignId, facilityId: facility.id, ...pair };
}

function placeWrite(f: Fixture, personId: number, key: string, o: Partial<NewBooking> = {}): SeatedWrite {
  return {
    kind: 'place',
    booking: newBookingRow({ ...f, dose2Date: f.dose2.date }, personId, key, NOW, o),
    message: {
      kind: 'booking-confirmed',
      nowMs: NOW,
      payload: { to: '010', bookingNumber: `BN-${key}`, text: { ko: '가', en: 'a' } },
    },
  };
}

/** A store that writes one booking write (batch) at a time and records each batch's size. */
function batchingStores(tdb: TestDatabase, maxSize = 64) {
  const batches: number[] = [];
  const stores = kyselyBookingStores({
    db: tdb.db,
    findPerson: findPersonById,
    findFacility: findFacilityById,
    batch: { maxSize, maxInFlight: 1, onBatch: (n) => batches.push(n) },
  });
  return { stores, batches };
}

const outcome = (r: PromiseSettledResult<SeatedWriteResult>) =>
  r.status === 'rejected' ? `error ${(r.reason as { code?: string }).code}` : r.value.ok ? 'ok' : r.value.reason;

async function counts(db: TestDatabase['db'], campaignId: string) {
  const seats = await db
    .selectFrom('slots')
    .select(['dose', 'booked'])
    .where('campaign_id', '=', campaignId)
    .orderBy('id')
    .execute();
  const n = await db
    .selectFrom('bookings')
    .leftJoin('outbox', 'outbox.booking_id', 'bookings.id')
    .select([
      sql<number>`count(DISTINCT bookings.id)::int`.as('bookings'),
      sql<number>`count(outbox.id)::int`.as('messages'),
    ])
    .where('bookings.campaign_id', '=', campaignId)
    .executeTakeFirstOrThrow();
  return { booked: seats.map((s) => s.booked), bookings: n.bookings, messages: n.messages };
}

/** A batch mixing every refusal and a write the database refuses with an error, with writes that succeed. */
async function mixedBatch(tdb: TestDatabase, campaignId: string) {
  const f = await fixture(tdb.db, campaignId, 4);
  const noDose2 = await fixture(tdb.db, `${campaignId}-nd2`, 5, { dose2Capacity: 0 });
  // Seats left after the batch: the write refused with an error is run again alone and meets the same error.
  const keyed = await fixture(tdb.db, `${campaignId}-fk`, 3);
  // Another facility with a dose-2 seat on the same date: only the slot's key refuses the write.
  const otherFacility = await newFacility(tdb.db);
  await newSlotPair(tdb.db, {
    campaignId: keyed.campaignId,
    facilityId: otherFacility.id,
    date: keyed.dose1.date,
    capacity: 3,
  });
  const [a, b, c, d, e, g, k] = await newPeople(tdb.db, 7);
  const { stores, batches } = batchingStores(tdb);
  assert.ok((await stores.writeBookingTakingSeats(placeWrite(f, a!.id, 'mx-pre', { admission_id: 'adm-mx' }))).ok);
  batches.length = 0;
  const head = stores.writeBookingTakingSeats(placeWrite(f, b!.id, 'mx-head'));
  const rest = [
    placeWrite(f, a!.id, 'mx-1'), // a already has an active booking
    placeWrite(f, c!.id, 'mx-pre', { requested_by_id: a!.id, booking_number: 'BN-mx-2' }), // a's key again
    placeWrite(f, c!.id, 'mx-3'),
    placeWrite(f, d!.id, 'mx-4', { admission_id: 'adm-mx' }), // a used admission
    placeWrite(noDose2, e!.id, 'mx-5'), // no dose-2 seat
    placeWrite(keyed, g!.id, 'mx-6', { facility_id: otherFacility.id }), // not the slot's facility: a foreign-key error
    placeWrite(f, k!.id, 'mx-7'), // the last seat
    placeWrite(f, e!.id, 'mx-8'), // none left
  ].map((w) => stores.writeBookingTakingSeats(w));
  const settled = await Promise.allSettled([head, ...rest]);
  return { f, noDose2, keyed, batches, outcomes: settled.map(outcome) };
}

describe('booking batches on real Postgres', () => {
  let tdb: TestDatabase | undefined;
  before(async () => {
    tdb = await postgresForTest(undefined, 8);
  });
  after(async () => {
    await tdb?.close();
  });

  it('sells the last seats exactly once when many bookings for them go out in batches', async () => {
    const db = tdb!.db;
    const f = await fixture(db, 'batch-race', 5);
    const people = await newPeople(db, 60);
    const { stores, batches } = batchingStores(tdb!, 16);

    const results = await Promise.all(
      people.map((p, i) => stores.writeBookingTakingSeats(placeWrite(f, p.id, `br-${i}`))),
    );

    assert.deepEqual(batches, [16, 16, 16, 12], 'made in one turn: batches of at most 16, none alone');
    const winners = results.filter((r) => r.ok);
    assert.equal(winners.length, 5);
    assert.deepEqual(
      results.slice(5).map((r) => (r.ok ? 'ok' : r.reason)),
      Array(55).fill('slot-full'),
      'first come, first served: the first five calls won',
    );
    assert.deepEqual(await counts(db, 'batch-race'), { booked: [5, 5], bookings: 5, messages: 5 });
    const ids = new Set(winners.map((r) => (r.ok ? r.booking.id : 0)));
    assert.equal(ids.size, 5);
  });

  it('keeps each booking of a batch to its own outcome: refusals and an error fail no other booking', async () => {
    const { f, noDose2, keyed, batches, outcomes } = await mixedBatch(tdb!, 'batch-mixed');
    assert.deepEqual(batches, [9], 'made in one turn: one batch');
    assert.deepEqual(outcomes, MIXED_OUTCOMES);
    assert.deepEqual(await counts(tdb!.db, f.campaignId), { booked: [4, 4], bookings: 4, messages: 4 });
    assert.deepEqual(await counts(tdb!.db, noDose2.campaignId), { booked: [0, 0], bookings: 0, messages: 0 });
    assert.deepEqual(await counts(tdb!.db, keyed.campaignId), { booked: [0, 0, 0, 0], bookings: 0, messages: 0 });
  });

  it('fails every booking of a batch whose connection is lost, with the error a lone booking gets, and writes none of them', async () => {
    const db = tdb!.db;
    const f = await fixture(db, 'batch-lost', 10);
    const locked = await fixture(db, 'batch-lost-locked', 10);
    const people = await newPeople(db, 5);
    const { stores, batches } = batchingStores(tdb!);
    // Another session holds the locked slot's row: the batch takes seats of `f`, then waits for it.
    const holder = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await holder.connect();
    try {
      await holder.query(`SET search_path = "${tdb!.schema}"`);
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM slots WHERE id = $1 FOR UPDATE', [locked.dose1.id]);

      const first = stores.writeBookingTakingSeats(placeWrite(f, people[0]!.id, 'bl-0'));
      // The next turn: `first` has gone out alone, and what comes now waits for it and goes out together.
      await new Promise((resolve) => setImmediate(resolve));
      const batch = [
        placeWrite(f, people[1]!.id, 'bl-1'),
        placeWrite(f, people[2]!.id, 'bl-2'),
        placeWrite(locked, people[3]!.id, 'bl-3'),
        placeWrite(f, people[4]!.id, 'bl-4'),
      ].map((w) => stores.writeBookingTakingSeats(w));
      const settling = Promise.allSettled(batch);
      assert.ok((await first).ok);

      const pid = await waitingBatchBackend(db);
      await holder.query('SELECT pg_terminate_backend($1)', [pid]);
      const settled = await settling;
      assert.deepEqual(batches, [1, 4]);
      const errors = settled.map((s) => (s.status === 'rejected' ? s.reason : undefined));
      assert.ok(
        errors.every((e) => e instanceof Error && e === errors[0]),
        'one error, the same for every caller',
      );
      assert.match(String((errors[0] as Error).message), /terminat/);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    // pg's pool drops the lost connection when its socket closes, which can come just after the
    // failed call handed it back: give it that moment before the pool is used again.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(
      await counts(db, 'batch-lost'),
      { booked: [1, 1], bookings: 1, messages: 1 },
      'only the lone booking',
    );
    assert.deepEqual(await counts(db, 'batch-lost-locked'), { booked: [0, 0], bookings: 0, messages: 0 });
    // The pool replaced the lost connection: the next booking goes through.
    const [next] = await newPeople(db, 1);
    assert.ok((await stores.writeBookingTakingSeats(placeWrite(f, next!.id, 'bl-5'))).ok);
  });
});

describe('booking batches under a lock (lock_timeout set, as in production)', () => {
  const LOCK_MS = 400;
  let tdb: TestDatabase | undefined;
  let timed: DatabaseHandle | undefined;
  before(async () => {
    tdb = await postgresForTest(undefined, 4);
    // The same schema through a pool whose connections give up a lock wait after LOCK_MS.
    timed = await openDatabase({
      databaseUrl: TEST_DATABASE_URL,
      pgliteDir: null,
      schema: tdb!.schema!,
      // One connection: the batch after the lock wait runs where the shortened lock_timeout was set.
      poolSize: 1,
      timeouts: { connectMs: 5_000, statementMs: 30_000, lockMs: LOCK_MS, idleInTransactionMs: 30_000, idleMs: 10_000 },
    });
  });
  after(async () => {
    await timed?.close();
    await tdb?.close();
  });

  it('waits out lock_timeout once per batch, fails the writes that need the held lock with it, and writes the rest', async () => {
    const db = tdb!.db;
    // Created in this order, so the locked pair's dose-1 slot has the lowest id and runs first in the batch.
    const locked = await fixture(db, 'batch-lockwait-held', 10);
    const free = await fixture(db, 'batch-lockwait-free', 10);
    const people = await newPeople(db, 6);
    const batches: number[] = [];
    const stores = kyselyBookingStores({
      db: timed!.db,
      findPerson: findPersonById,
      findFacility: findFacilityById,
      batch: { maxSize: 64, maxInFlight: 1, onBatch: (n) => batches.push(n) },
    });
    const holder = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await holder.connect();
    try {
      await holder.query(`SET search_path = "${tdb!.schema}"`);
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM slots WHERE id = $1 FOR UPDATE', [locked.dose1.id]);
      const started = performance.now();
      const settled = await Promise.allSettled(
        [
          placeWrite(locked, people[0]!.id, 'lw-0'),
          placeWrite(locked, people[1]!.id, 'lw-1'),
          placeWrite(free, people[2]!.id, 'lw-2'),
          placeWrite(locked, people[3]!.id, 'lw-3'),
          placeWrite(free, people[4]!.id, 'lw-4'),
          placeWrite(locked, people[5]!.id, 'lw-5'),
        ].map((w) => stores.writeBookingTakingSeats(w)),
      );
      const tookMs = performance.now() - started;

      assert.deepEqual(batches, [6], 'one batch');
      assert.deepEqual(settled.map(outcome), ['error 55P03', 'error 55P03', 'ok', 'error 55P03', 'ok', 'error 55P03']);
      // Before migration 0011 each locked write waited LOCK_MS in the batch and again alone: 8 × LOCK_MS.
      assert.ok(tookMs < 2 * LOCK_MS, `the batch answered after ${Math.round(tookMs)} ms (lock_timeout ${LOCK_MS} ms)`);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    assert.deepEqual(await counts(db, 'batch-lockwait-held'), { booked: [0, 0], bookings: 0, messages: 0 });
    assert.deepEqual(await counts(db, 'batch-lockwait-free'), { booked: [2, 2], bookings: 2, messages: 2 });
    // The connection's own lock_timeout is back after the batch: a write that waits less than it goes through.
    const lockedAgain = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await lockedAgain.connect();
    try {
      await lockedAgain.query(`SET search_path = "${tdb!.schema}"`);
      await lockedAgain.query('BEGIN');
      await lockedAgain.query('SELECT 1 FROM slots WHERE id = $1 FOR UPDATE', [locked.dose1.id]);
      const writes = [0, 1, 2, 3].map((i) =>
        stores.writeBookingTakingSeats(placeWrite(locked, people[i]!.id, `lw-again-${i}`)),
      );
      await new Promise((resolve) => setTimeout(resolve, LOCK_MS / 4));
      await lockedAgain.query('ROLLBACK');
      const again = await Promise.allSettled(writes);
      assert.deepEqual(again.map(outcome), ['ok', 'ok', 'ok', 'ok']);
    } finally {
      await lockedAgain.end();
    }
  });
});

/**
 * The pid of the backend running a booking batch that waits for a row lock (polls up to 10 s; each
 * poll its own transaction: pg_stat_activity is read once per transaction).
 */
async function waitingBatchBackend(db: TestDatabase['db']): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const r = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity
       WHERE query LIKE '%write_bookings_taking_seats%' AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`.execute(
      db,
    );
    if (r.rows[0]) return r.rows[0].pid;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no booking batch waiting for the locked slot');
}

describe('booking batches on PGlite (the same SQL)', () => {
  let tdb: TestDatabase;
  before(async () => {
    tdb = await pgliteForTest();
  });
  after(async () => {
    await tdb.close();
  });

  it('keeps each booking of a batch to its own outcome', async () => {
    const { batches, outcomes } = await mixedBatch(tdb, 'batch-mixed');
    assert.deepEqual(batches, [9], 'made in one turn: one batch');
    assert.deepEqual(outcomes, MIXED_OUTCOMES);
  });
});
