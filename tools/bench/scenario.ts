/**
 * The service phases, each on the service started afresh (src/cluster.ts, its own Redis key
 * prefix, the queue's checkpoint cleared) over one scratch database seeded with the demo
 * (10,000 facilities, a week of slots, a synthetic population):
 *   A. peak: admission set wide open, bookings/s end to end;
 *   B. overload through the waiting room, admission starting at the measured peak (what an
 *      operator would configure from this measurement; AIMD adapts from there);
 *   C. overload straight to booking (ADMISSION_GATE=off).
 * People never repeat across phases (one booking per person per campaign).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DEMO_POPULATION_SEED } from '../../src/app/seed.ts';
import { migrate, openDatabase } from '../../src/platform/db.ts';
import { registerPopulation } from '../../src/synthetic/register-population.ts';
import type { Cleanup } from './cleanup.ts';
import { cohortPeople, dose1SlotIds, mintSessions, verifiablePeople, type RegisteredPerson } from './citizens.ts';
import { cpuMeter } from './cpu-time.ts';
import { createLoadClient } from './http-load.ts';
import { runOverload, type OverloadPlan } from './overload.ts';
import { admitEveryone, bookAll, type DatabaseCounters, type PeakResult } from './peak.ts';
import type { BenchReport } from './report.ts';
import { startService, type ServiceOptions } from './service.ts';

export interface ServicePlan {
  quick: boolean;
  workers: number;
  concurrency: number;
  runId: string;
  adminUrl: string;
  redisUrl: string;
  dataDir: string;
  peopleForPeak: number;
  overloadSec: number;
  warmupSec: number;
  timeoutMs: number;
  /** Bookings/s to overload against when the peak phase is skipped (--assume-peak). */
  assumedPeak: number | null;
  /** Each service as one process under node --cpu-prof, profiles here (--cpu-profile). */
  cpuProfileDir?: string;
}

type Phase = <T>(report: BenchReport, name: string, f: () => Promise<T>) => Promise<T | null>;

/** Share of the synthetic population born inside the demo cohort is about 0.8; sized with margin. */
const COHORT_SHARE_LOWER_BOUND = 0.6;
const LANES = 200;
const DOOR_WORKERS = 2;

export async function runMeasuredService(
  plan: ServicePlan & { databaseUrl: string },
  phases: Set<string>,
  report: BenchReport,
  cleanup: Cleanup,
  phase: Phase,
) {
  const secrets = {
    IDENTITY_HMAC_KEY: randomBytes(32).toString('base64url'),
    SIGNING_SECRET: randomBytes(32).toString('base64url'),
  };
  let population = Math.ceil(plan.peopleForPeak / COHORT_SHARE_LOWER_BOUND);
  const service = (name: string, env: Record<string, string>): ServiceOptions => ({
    name,
    workers: plan.workers,
    databaseUrl: plan.databaseUrl,
    redisUrl: plan.redisUrl,
    keyPrefix: `bench${plan.runId}${name}`,
    dataDir: plan.dataDir,
    cpuProfileDir: plan.cpuProfileDir,
    env: {
      ...secrets,
      SEED_DEMO: 'true',
      DEMO_POPULATION: String(population),
      DEMO_FACILITIES: '10000',
      DEMO_SLOT_DAYS: '7',
      DEMO_OPENS_IN_MS: '0',
      IDENTITY_LATENCY_MS: '0',
      ...env,
    },
  });
  const used = new Set<number>();
  // Read inside the peak phase (assigned in its closure), compared after the service stopped.
  const counted: { before: DatabaseCounters | null } = { before: null };

  const peak = !phases.has('peak')
    ? null
    : await phase(report, 'service: peak bookings/s', async () => {
        const svc = await startService(
          service('a', {
            ADMISSION_INITIAL_RATE_PER_SEC: '5000',
            ADMISSION_MAX_RATE_PER_SEC: '5000',
            ACTIVE_SESSION_CAP: '1000000',
          }),
          cleanup,
        );
        const client = createLoadClient({ origin: svc.origin, lanes: LANES, connectionsPerLane: 4 });
        try {
          const people = verifiablePeople(population, plan.peopleForPeak);
          const { admitted, verify, join, polls } = await admitEveryone(client, people, plan.runId, cleanup.signal);
          for (const a of admitted) used.add(a.personId);
          const slots = await dose1SlotIds(plan.databaseUrl);
          const backends = await backendPids(plan.databaseUrl);
          counted.before = await databaseCounters(plan.databaseUrl);
          const meters = {
            service: cpuMeter(svc.pids),
            postgres: cpuMeter(() => backends),
            loadGenerator: cpuMeter(() => [process.pid]),
          };
          const booking = await bookAll(client, admitted, slots, plan.runId, plan.concurrency, cleanup.signal);
          const per = (m: { elapsedMs(): number }) => m.elapsedMs() / Math.max(1, booking.count);
          const cpuMsPerBooking = {
            service: per(meters.service),
            postgres: per(meters.postgres),
            loadGenerator: per(meters.loadGenerator),
          };
          return { verify, join, polls, booking, cpuMsPerBooking, bookedPersonIds: booking.bookedPersonIds };
        } finally {
          await client.close();
          await svc.stop();
        }
      });
  let postgresPerBooking: PeakResult['postgresPerBooking'];
  if (peak && counted.before) {
    // Read after the service stopped: its backends flush their statistics when they exit.
    const after = await databaseCounters(plan.databaseUrl);
    const n = Math.max(1, peak.booking.count);
    const before = counted.before;
    const per = (k: Exclude<keyof DatabaseCounters, 'tables'>) => (after[k] - before[k]) / n;
    const tables: NonNullable<PeakResult['postgresPerBooking']>['tables'] = {};
    for (const [name, a] of Object.entries(after.tables)) {
      const b = before.tables[name];
      const d = (k: keyof typeof a) => (a[k] - (b?.[k] ?? 0)) / n;
      const row = {
        seqRead: d('seqRead'),
        idxFetched: d('idxFetched'),
        inserted: d('inserted'),
        updated: d('updated'),
        hotUpdated: d('hotUpdated'),
      };
      if (Object.values(row).some((v) => v > 0)) tables[name] = row;
    }
    postgresPerBooking = {
      transactions: per('transactions'),
      rowsInserted: per('rowsInserted'),
      rowsUpdated: per('rowsUpdated'),
      rowsFetched: per('rowsFetched'),
      tables,
    };
  }
  report.peak = peak ? { ...peak, postgresPerBooking, bookedPersonIds: [] } : null;
  const peakPerSec = peak?.booking.perSec ?? plan.assumedPeak;
  if (peakPerSec === null || !phases.has('overload')) return;
  report.settings.overloadAgainstPeakPerSec = Math.round(peakPerSec);

  const rate = Math.max(100, Math.round(10 * peakPerSec));
  const perMode = Math.round(rate * plan.overloadSec);
  report.settings.overloadOfferedPerSec = rate;
  const fresh = await phase(report, 'overload set-up: population and sessions', async () => {
    population = Math.max(population, Math.ceil((plan.peopleForPeak + 2 * perMode) / COHORT_SHARE_LOWER_BOUND));
    await extendPopulation(plan.databaseUrl, secrets.IDENTITY_HMAC_KEY, population);
    const rows = (await cohortPeople(plan.databaseUrl)).filter((p) => !used.has(p.id));
    if (rows.length < 2 * perMode) throw new Error(`only ${rows.length} fresh people for ${2 * perMode} arrivals`);
    return rows;
  });
  if (!fresh) return;
  const modes: {
    key: 'withRoom' | 'direct';
    name: string;
    plan: OverloadPlan['mode'];
    env: Record<string, string>;
    people: RegisteredPerson[];
  }[] = [
    {
      key: 'withRoom',
      name: 'b',
      plan: 'waiting-room',
      env: {
        ADMISSION_INITIAL_RATE_PER_SEC: String(Math.round(peakPerSec)),
        ADMISSION_MAX_RATE_PER_SEC: String(Math.round(peakPerSec)),
      },
      people: fresh.slice(0, perMode),
    },
    {
      key: 'direct',
      name: 'c',
      plan: 'direct',
      env: { ADMISSION_GATE: 'off' },
      people: fresh.slice(perMode, 2 * perMode),
    },
  ];
  for (const m of modes) {
    report.overload[m.key] = await phase(report, `overload ${m.plan} at ${rate}/s`, async () => {
      const sessions = await mintSessions(secrets.SIGNING_SECRET, m.people);
      await clearQueueCheckpoint(plan.databaseUrl);
      const booking = await startService(service(m.name, m.env), cleanup);
      // With the waiting room, joins and polls go to front-door processes of their own — on this one
      // machine, the stand-in for the separate front-door servers of a deployment (the load balancer
      // routes /queue apart), so admitted bookings never queue behind joins in one event loop. Started second, so the admission leader
      // (whoever holds the Redis lease first) is a booking process that sees the booking path's health.
      const door =
        m.plan === 'waiting-room'
          ? await startService({ ...service(m.name, m.env), name: `${m.name}door`, workers: DOOR_WORKERS }, cleanup)
          : null;
      const bookingClient = createLoadClient({ origin: booking.origin, lanes: LANES, connectionsPerLane: 8 });
      const queueClient = door
        ? createLoadClient({ origin: door.origin, lanes: LANES, connectionsPerLane: 4 })
        : bookingClient;
      try {
        const slots = await dose1SlotIds(plan.databaseUrl);
        const meters = {
          door: door ? cpuMeter(door.pids) : null,
          booking: cpuMeter(booking.pids),
          loadGenerator: cpuMeter(() => [process.pid]),
        };
        const t = performance.now();
        const result = await runOverload(
          { queue: queueClient, booking: bookingClient },
          {
            mode: m.plan,
            ratePerSec: rate,
            durationSec: plan.overloadSec,
            warmupSec: plan.warmupSec,
            timeoutMs: plan.timeoutMs,
            runId: `${plan.runId}${m.name}`,
          },
          sessions,
          slots,
          cleanup.signal,
        );
        const seconds = (performance.now() - t) / 1000;
        // Cores each part kept busy on average over the phase (CPU seconds per second).
        const cores = (meter: { elapsedMs(): number }) => meter.elapsedMs() / 1000 / seconds;
        const doorMs = meters.door?.elapsedMs() ?? null;
        return {
          ...result,
          coresUsed: {
            frontDoor: meters.door ? cores(meters.door) : null,
            booking: cores(meters.booking),
            loadGenerator: cores(meters.loadGenerator),
          },
          frontDoorCpuMsPerAnswer: doorMs === null ? null : doorMs / Math.max(1, result.queueStatuses.ok2xx),
        };
      } finally {
        await bookingClient.close();
        if (queueClient !== bookingClient) await queueClient.close();
        if (door) await door.stop();
        await booking.stop();
      }
    });
  }
}

/** The service's PostgreSQL backends (its pools stay connected through a phase). */
async function backendPids(databaseUrl: string): Promise<number[]> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const r = await c.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return r.rows.map((row) => row.pid);
  } finally {
    await c.end();
  }
}

/**
 * The scratch database's cumulative counters. A backend flushes its own at most once a second, so
 * the first read waits that long for the set-up's to arrive; the bench's own connection adds one
 * transaction per read.
 */
async function databaseCounters(databaseUrl: string): Promise<DatabaseCounters> {
  await new Promise((r) => setTimeout(r, 1_100));
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const r = await c.query<{ x: string; i: string; u: string; f: string }>(
      `SELECT xact_commit + xact_rollback AS x, tup_inserted AS i, tup_updated AS u, tup_fetched AS f
       FROM pg_stat_database WHERE datname = current_database()`,
    );
    const t = await c.query<{ relname: string; s: string; f: string; i: string; u: string; h: string }>(
      `SELECT relname, seq_tup_read AS s, coalesce(idx_tup_fetch, 0) AS f, n_tup_ins AS i, n_tup_upd AS u, n_tup_hot_upd AS h
       FROM pg_stat_user_tables`,
    );
    const row = r.rows[0]!;
    const tables: DatabaseCounters['tables'] = {};
    for (const x of t.rows)
      tables[x.relname] = {
        seqRead: Number(x.s),
        idxFetched: Number(x.f),
        inserted: Number(x.i),
        updated: Number(x.u),
        hotUpdated: Number(x.h),
      };
    return {
      transactions: Number(row.x),
      rowsInserted: Number(row.i),
      rowsUpdated: Number(row.u),
      rowsFetched: Number(row.f),
      tables,
    };
  } finally {
    await c.end();
  }
}

/** Registers more of the same synthetic population (the first people already exist and are skipped). */
async function extendPopulation(databaseUrl: string, hmacKey: string, size: number) {
  const db = await openDatabase({ databaseUrl, pgliteDir: null, poolSize: 2 });
  try {
    await migrate(db); // a no-op after the peak phase's service start; needed when overload runs alone
    await registerPopulation(db.db, hmacKey, { size, seed: DEMO_POPULATION_SEED });
  } finally {
    await db.close();
  }
}

/** Each service run gets a fresh Redis prefix; its queue must start empty, not restore the last run's counters. */
async function clearQueueCheckpoint(databaseUrl: string) {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query('DELETE FROM waiting_room_checkpoints');
  } finally {
    await c.end();
  }
}
