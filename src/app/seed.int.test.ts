import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { sql } from 'kysely';
import { fixedClock } from '../platform/clock.ts';
import { postgresForTest, type TestDatabase } from '../../test/support/databases.ts';
import { testConfig, testServices } from '../../test/support/services.ts';
import { seedDemo } from './seed.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');

describe('seeding the demo on Postgres', () => {
  let tdb: TestDatabase | undefined;
  after(async () => {
    await tdb?.close();
  });

  it('leaves the planner statistics for what it loaded (no scan until autovacuum, or ever where it is off)', async (t) => {
    tdb = await postgresForTest(t, 4);
    if (!tdb) return;
    const clock = fixedClock(NOW);
    const config = testConfig({ DEMO_POPULATION: '200', DEMO_FACILITIES: '40', DEMO_SLOT_DAYS: '2' });
    const services = testServices(tdb, clock);
    const seed = () =>
      seedDemo({ db: tdb!.db, config, clock, campaigns: services.campaigns, log: pino({ level: 'silent' }) });
    await seed();
    const stats = await sql<{ relname: string; analyzed: boolean; live: string }>`
      select relname, last_analyze is not null as analyzed, n_live_tup::text as live
      from pg_stat_user_tables
      where schemaname = current_schema() and relname in ('people', 'facilities', 'slots')
      order by relname`.execute(tdb.db);
    assert.deepEqual(
      stats.rows.map((r) => [r.relname, r.analyzed]),
      [
        ['facilities', true],
        ['people', true],
        ['slots', true],
      ],
    );
    const planned = await sql<{ reltuples: number }>`
      select reltuples from pg_class where oid = 'slots'::regclass`.execute(tdb.db);
    assert.ok(Number(planned.rows[0]!.reltuples) > 0, 'the slots table has a row estimate');

    // A second start seeds nothing and so analyzes nothing.
    const before = await sql<{ n: string }>`
      select analyze_count::text as n from pg_stat_user_tables
      where schemaname = current_schema() and relname = 'slots'`.execute(tdb.db);
    await seed();
    const again = await sql<{ n: string }>`
      select analyze_count::text as n from pg_stat_user_tables
      where schemaname = current_schema() and relname = 'slots'`.execute(tdb.db);
    assert.equal(again.rows[0]!.n, before.rows[0]!.n);
  });
});
