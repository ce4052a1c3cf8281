/**
 * Smoke runs of `npm run simulate` in full mode: tiny scale, human time compressed, against the
 * real Postgres and Redis (under CI=true a missing one fails the test). Asserts the report's
 * invariants, and that the invariant checks catch a database that breaks them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { postgresForTest, TEST_DATABASE_URL } from '../../test/support/databases.ts';
import { REDIS_URL, redisSkipReason } from '../../test/support/redis.ts';
import { runFull, type FullResult } from './full-run.ts';
import { checkInvariants } from './invariants.ts';
import { buildSummary, chartData, fullView, writeReport } from './report.ts';
import { loadScenario } from './scenario.ts';
import { compressTime } from './scenario-time.ts';
import { planFromRehearsal, rehearse } from './rehearsal.ts';
import { isTurnoverCurve } from '../../src/waiting-room/admission-settings.ts';
import { scaledService } from './environment.ts';
import type { TestContext } from 'node:test';

async function storesOrSkip(t: TestContext): Promise<boolean> {
  const probe = await postgresForTest(t, 2);
  if (!probe) return false;
  await probe.close();
  const skip = await redisSkipReason();
  if (skip) {
    t.skip(skip);
    return false;
  }
  return true;
}

/**
 * The scenario at `scale`, its human time compressed, on 2 queue partitions (fewer Redis calls per
 * tick), with fixed virtual steps so the outcome does not depend on how fast this machine is.
 */
async function smokeRun(
  id: string,
  scale: number,
  compress: number,
  bookingWorkers = 0,
  service: Partial<FullResult['sim']['scenario']['service']> = {},
): Promise<FullResult> {
  const dir = mkdtempSync(join(tmpdir(), `yeyak-sim-${id}-`));
  const s = compressTime(loadScenario(id), compress);
  const scenario = { ...s, service: { ...s.service, partitions: 2, ...service } };
  return runFull({
    scenario,
    scale,
    databaseUrl: TEST_DATABASE_URL,
    redisUrl: REDIS_URL,
    dataDir: dir,
    maxWallMs: 300_000,
    keep: true,
    stepping: 'fixed',
    bookingWorkers,
  });
}

/** Schemas the simulator made (it names them sim<time><random>) in the test database. */
async function simSchemas(t: TestContext): Promise<number> {
  const db = (await postgresForTest(t, 1))!;
  try {
    const r = await sql<{
      n: number;
    }>`select count(*)::int as n from information_schema.schemata where schema_name like 'sim%'`.execute(db.db);
    return r.rows[0]!.n;
  } finally {
    await db.close();
  }
}

const summarise = (r: FullResult, dir: string) =>
  buildSummary(fullView(r), { command: 'test', startedAt: new Date().toISOString(), outDir: dir, scale: 0 }, 0);

describe('npm run simulate (full mode smoke runs)', () => {
  it('replays 19 July in miniature: people book, nobody twice, no seat oversold, one confirmation each', async (t) => {
    if (!(await storesOrSkip(t))) return;
    // A ceiling the controller can climb to at this scale (the scenario's 5,000/s × 1/2,500 is 2,
    // raised to the 5/s floor): the run shows the rate following the booking path.
    const r = await smokeRun('2021-07-19', 0.0004, 20, 0, { admissionMaxRatePerSec: 250_000 });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'yeyak-sim-report-'));
      const s = summarise(r, dir);
      assert.deepEqual(
        s.invariants.checks.filter((c) => !c.ok),
        [],
        JSON.stringify(s.invariants),
      );
      assert.ok(
        s.outcome.peopleWhoGotASlot > 0.3 * s.population.eligible,
        `booked ${s.outcome.peopleWhoGotASlot} of ${s.population.eligible}`,
      );
      assert.ok(s.outcome.bookedByProxy > 0, 'children booked for parents');
      assert.ok(
        s.arrivals.reloads > 0 && s.arrivals.refusedOtherDevice > 0,
        'reloads and refused second devices happened',
      );
      assert.ok(s.arrivals.total > 3 * s.arrivals.firstJoins, 'several join requests per person, as in 2021');
      assert.ok(s.fairness.spearmanArrivalVsPositionPostOpening! > 0.8, 'after the opening: first come, first served');
      assert.ok((s.polls.real ?? 0) > 0 && s.wait.admitted > 0);
      // The booking path's signal reaches the admission controller (as the routes' hook gives it),
      // so the rate moves off its start (100/s × 1/2,500, held at the 5/s floor). Before the simulator
      // fed it (only the console's chart signal), the controller saw nothing and held its start all night.
      assert.ok(
        s.throughput.maxAdmissionRatePerSec > 5,
        `the admission rate adapted: at most ${s.throughput.maxAdmissionRatePerSec}/s`,
      );
      const files = writeReport(
        dir,
        s,
        chartData(r.sim.rec, r.sim.opensAtMs, r.sim.etaPromises, r.sim.crowd.admittedAtMs),
        'smoke',
      );
      for (const f of files) assert.ok(existsSync(f), f);
      const html = readFileSync(files[2]!, 'utf8');
      assert.match(html, /uPlot/);
      assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, 'self-contained: no external scripts or styles');
      // The checks can fail: break the database behind the simulator's back.
      const db = r.kept!.database.db;
      await sql`update slots set booked = booked - 1 where id = (select dose1_slot_id from bookings where campaign_id = ${r.sim.campaignId} limit 1)`.execute(
        db,
      );
      await sql`delete from outbox where id = (select min(id) from outbox)`.execute(db);
      const broken = await checkInvariants(db, r.sim.campaignId, new Map(), s.outcome.peopleWhoGotASlot + 1);
      const failed = broken
        .filter((c) => !c.ok)
        .map((c) => c.name)
        .sort();
      assert.deepEqual(failed, [
        'confirmationDeliveredOnce',
        'everyBookingHasOneConfirmation',
        'noSlotOversold',
        'simulatorAgreesWithDatabase',
      ]);
    } finally {
      await r.kept?.cleanup();
    }
  });

  it('fails when its set-up fails, and leaves no timer or connection running behind it', async (t) => {
    if (!(await storesOrSkip(t))) return;
    // Timers and sockets: what would keep a failed `npm run simulate` alive instead of letting it exit
    // (this test's own probes are closed by then).
    const running = () =>
      process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'TCPSocketWrap').length;
    const s = compressTime(loadScenario('2021-07-19'), 20);
    await assert.rejects(
      runFull({
        scenario: { ...s, service: { ...s.service, partitions: 2 } },
        scale: 0.0003,
        databaseUrl: TEST_DATABASE_URL,
        redisUrl: REDIS_URL,
        dataDir: mkdtempSync(join(tmpdir(), 'yeyak-sim-fail-')),
        maxWallMs: 60_000,
        stepping: 'fixed',
        onPhase: () => {
          throw new Error('set-up failed on purpose');
        },
      }),
      /set-up failed on purpose/,
    );
    const deadline = Date.now() + 5_000;
    while (running() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(running(), 0, `still running: ${process.getActiveResourcesInfo().join(', ')}`);
  });

  it('replays the first rotation day: only digit 9 books, wrong-day people are turned away, no proxies', async (t) => {
    if (!(await storesOrSkip(t))) return;
    const r = await smokeRun('2021-08-09', 0.0003, 20);
    try {
      const s = summarise(r, '');
      assert.equal(s.invariants.allOk, true, JSON.stringify(s.invariants));
      const booked = s.rotationGroups.filter((g) => g.bookings > 0).map((g) => g.digit);
      assert.deepEqual(booked, [9]);
      assert.ok((s.outcome.byKind.outsider?.['not-eligible'] ?? 0) > 0, 'wrong-day people admitted and told not yet');
      assert.equal(s.outcome.bookedByProxy, 0);
    } finally {
      await r.kept?.cleanup();
    }
  });

  it('runs the bot-heavy night with the booking path in a worker thread: scripts get no better place in the pre-room', async (t) => {
    if (!(await storesOrSkip(t))) return;
    const r = await smokeRun('bot-heavy', 0.0004, 20, 1);
    try {
      const s = summarise(r, '');
      assert.equal(s.invariants.allOk, true, JSON.stringify(s.invariants));
      const f = s.fairness.meanPositionPreOpening;
      assert.ok(f.botsCount > 20 && f.humansCount > 20, JSON.stringify(f));
      // A few dozen people each side: the means of uniform positions differ by well under 0.25.
      assert.ok(Math.abs(f.bots! - f.humans!) < 0.25, JSON.stringify(f));
      assert.ok(s.outcome.peopleWhoGotASlot > 0, 'bookings went through the worker');
    } finally {
      await r.kept?.cleanup();
    }
  });

  it('rehearses the night on this machine and gives a plan the waiting room takes, leaving nothing behind', async (t) => {
    if (!(await storesOrSkip(t))) return;
    const s = compressTime(loadScenario('2021-07-19'), 20);
    const scenario = { ...s, service: { ...s.service, partitions: 2 } };
    const scale = 0.0004;
    const before = await simSchemas(t);
    const r = await rehearse(
      {
        scenario,
        scale,
        databaseUrl: TEST_DATABASE_URL,
        redisUrl: REDIS_URL,
        dataDir: mkdtempSync(join(tmpdir(), 'yeyak-sim-rehearsal-')),
        maxWallMs: 120_000,
        stepping: 'fixed',
      },
      3,
    );
    const cap = scaledService(scenario.service, scale).activeSessionCap;
    assert.ok(r.booked > 0, 'people booked in the rehearsal');
    assert.ok(r.plan, 'the queue held people back: 40 sessions for hundreds waiting');
    assert.ok(r.plan.sessionCap > 0 && r.plan.sessionCap <= cap, JSON.stringify(r.plan));
    assert.equal(r.plan.turnoverPerSec.length, 3);
    assert.ok(r.plan.ratePerSec > 0);
    const plan = planFromRehearsal(r.plan, scenario, scale, cap);
    assert.ok(isTurnoverCurve(plan.rate.turnoverPerSec), JSON.stringify(plan.rate));
    assert.ok(plan.rate.ratePerSec > 0 && plan.activeSessionFloor <= plan.activeSessionCap);
    assert.equal(await simSchemas(t), before, "the rehearsal's schema was removed");
  });

  it('stops its set-up when interrupted and removes what it had made', async (t) => {
    if (!(await storesOrSkip(t))) return;
    const before = await simSchemas(t);
    const interrupt = new AbortController();
    const s = compressTime(loadScenario('2021-07-19'), 20);
    await assert.rejects(
      runFull({
        scenario: { ...s, service: { ...s.service, partitions: 2 } },
        scale: 0.0004,
        databaseUrl: TEST_DATABASE_URL,
        redisUrl: REDIS_URL,
        dataDir: mkdtempSync(join(tmpdir(), 'yeyak-sim-interrupt-')),
        maxWallMs: 60_000,
        stepping: 'fixed',
        signal: interrupt.signal,
        // Ctrl-C while the people are being registered.
        onPhase: () => interrupt.abort(),
      }),
      /interrupted while (registering people|creating slots)/,
    );
    assert.equal(await simSchemas(t), before, 'the run removed its schema');
  });
});
