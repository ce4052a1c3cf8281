/**
 * The console's history on PostgreSQL: two processes write their samples, a console reading any
 * process sees one merged series (queue counters as they are, booking rates added up, the worst
 * latency), limited to the kept window, and pruning forgets what is older.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { postgresForTest, type TestDatabase } from '../../test/support/databases.ts';
import { createDashboardHistory, type DashboardSample } from './dashboard-history.ts';
import { createSharedDashboardHistory } from './dashboard-history.repository.ts';

const T0 = Date.parse('2021-07-19T11:00:00Z');
const sample = (atMs: number, o: Partial<DashboardSample> = {}): DashboardSample => ({
  atMs,
  waiting: 1000,
  admittedPerSec: 50,
  bookingsPerSec: 10,
  p50Ms: 20,
  p99Ms: 80,
  etaP50Sec: null,
  etaP90Sec: null,
  ...o,
});

describe('dashboard history', () => {
  let tdb: TestDatabase | undefined;
  before(async () => {
    tdb = await postgresForTest(undefined as unknown as TestContext);
  });
  after(async () => {
    await tdb?.close();
  });

  it('merges the samples of every process, per sampling interval, within the kept window', async () => {
    const o = { keepMs: 3_600_000, sampleMs: 5_000 };
    const a = createSharedDashboardHistory(tdb!.db, { ...o, processId: 'a' });
    const b = createSharedDashboardHistory(tdb!.db, { ...o, processId: 'b' });
    await a.record('c1', sample(T0 - 4_000_000));
    await a.record('c1', sample(T0 + 1_000, { bookingsPerSec: 10, p99Ms: 80 }));
    await b.record('c1', sample(T0 + 2_500, { bookingsPerSec: 7, p99Ms: 300 }));
    await b.record('c1', sample(T0 + 6_000, { waiting: 900, bookingsPerSec: 4 }));
    await b.record('c2', sample(T0 + 6_000));
    const now = T0 + 10_000;
    assert.deepEqual(await a.samples('c1', now), [
      sample(T0, { bookingsPerSec: 17, p99Ms: 300 }),
      sample(T0 + 5_000, { waiting: 900, bookingsPerSec: 4 }),
    ]);
    assert.deepEqual(await b.samples('c1', now), await a.samples('c1', now), 'every process reads the same history');
    await a.prune(now);
    const left = await tdb!.db
      .selectFrom('dashboard_samples')
      .select('at_ms')
      .where('campaign_id', '=', 'c1')
      .execute();
    assert.equal(left.length, 3, 'the sample older than the window is gone');
  });

  it('keeps the newest samples in a process ring buffer, oldest first', async () => {
    const ring = createDashboardHistory({ keepMs: 60_000, capacity: 3 });
    for (let i = 0; i < 5; i++) await ring.record('c', sample(T0 + i * 1_000, { waiting: i }));
    assert.deepEqual(
      (await ring.samples('c', T0 + 10_000)).map((s) => s.waiting),
      [2, 3, 4],
    );
    assert.deepEqual(await ring.samples('c', T0 + 70_000), [], 'nothing older than keepMs');
  });
});
