/**
 * Live mode: yeyak runs as real server processes (src/cluster.ts, N workers) on 127.0.0.1 over a
 * database of its own and a unique Redis key prefix; the crowd are real HTTP clients (undici) doing
 * what the citizen site does. Real time cannot be skipped, so the scenario's human times are
 * compressed by --speedup and the cohort scaled by --scale; the server's own timings are its own.
 * The same report as full mode, plus the HTTP facts (requests, 429s, 5xx).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { systemClock } from '../../src/platform/clock.ts';
import { migrate, openDatabase } from '../../src/platform/db.ts';
import { createCampaignService } from '../../src/campaigns/campaign.service.ts';
import { createCampaignRepository } from '../../src/campaigns/campaign.repository.ts';
import { countPeopleByBirthDate } from '../../src/people/people.repository.ts';
import { loadSeedCampaigns } from '../../src/eligibility/seed-campaigns.ts';
import { createPrng, deriveSeed } from '../../src/synthetic/prng.ts';
import type { CliOptions } from './cli-options.ts';
import { Outcome, State } from './crowd.ts';
import { deletePrefix } from '../../src/waiting-room/redis-cleanup.ts';
import { scaledService, uniqueRunId } from './environment.ts';
import { checkInvariants } from './invariants.ts';
import { livePerson, type LiveCtx } from './live-agent.ts';
import { liveCampaignRules } from './live-campaign.ts';
import { createHttp, type Http } from './live-http.ts';
import { createDatabase, dropDatabase, freePort, startServers, type Servers } from './live-servers.ts';
import { buildCrowd, plannedJoins } from './population.ts';
import { Recorder } from './recorder.ts';
import { buildSummary, chartData, writeReport, type RunView } from './report.ts';
import type { Scenario } from './scenario.ts';
import { compressTime } from './scenario-time.ts';
import { seedSupply } from './supply.ts';

const SOURCE_ADDRESSES = 64;
const CAMPAIGN_ID = 'sim-live';

export const LIVE_MODE_REAL = [
  'yeyak server processes (src/cluster.ts) on 127.0.0.1: Fastify routes, schemas, rate limits, cookies, admission gate, the admission leader and its ticks in real time',
  'identity verification through the simulated provider over HTTP (as in the demo), the waiting room on Redis, booking on Postgres, the outbox sender writing to a file',
  'HTTP clients (undici) from 64 loopback source addresses, so per-IP limits see households, not one address',
];
export const LIVE_MODE_SIMULATED = [
  "people: arrivals, reloads, other devices, patience, coming back, think times (the scenario's distributions, seeded), with human times compressed by the speed-up",
  'the cohort and facilities scaled by --scale; the admission limits by --scale × --speedup (demand per real second grows with both)',
];

export interface LiveRunInput {
  scenario: Scenario;
  options: CliOptions;
  command: string;
  startedAt: string;
  /** Aborting (Ctrl-C) ends every person's loop at once; the run still reports and cleans up. */
  signal?: AbortSignal;
  onPhase?: (phase: string, done: number, total: number) => void;
  onStep?: (p: {
    virtualMs: number;
    startMs: number;
    horizonMs: number;
    opensAtMs: number;
    arrivals: number;
    waiting: number;
    booked: number;
  }) => void;
}

export async function runLive(input: LiveRunInput) {
  const t0 = performance.now();
  const o = input.options;
  const s = compressTime(input.scenario, o.speedup);
  const runId = uniqueRunId();
  const dataDir = join(o.out, 'data');
  mkdirSync(dataDir, { recursive: true });
  const dbUrl = await createDatabase(o.databaseUrl, runId);
  // Demand per real second is the scenario's × scale × speed-up, so the admission limits are too.
  const service = scaledService(s.service, o.scale * o.speedup);
  const secrets = {
    IDENTITY_HMAC_KEY: randomBytes(32).toString('base64url'),
    SIGNING_SECRET: randomBytes(32).toString('base64url'),
  };
  let servers: Servers | null = null;
  let isFinished = false;
  try {
    const night = await prepareNight(s, o.scale, dbUrl, secrets.IDENTITY_HMAC_KEY, input.onPhase);
    const outboxFile = join(dataDir, 'outbox-sent.jsonl');
    servers = await startServers({
      port: await freePort(),
      logFile: join(o.out, 'servers.log'),
      env: serverEnv({ secrets, dbUrl, runId, dataDir, outboxFile, service, options: o }),
    });
    const horizonMs = Math.min(
      night.opensAtMs + s.simulation.minutesAfterOpening * 60_000,
      Date.now() + o.maxWallMinutes * 60_000,
    );
    const ctx = liveContext(s, o, night, createHttp(servers.baseUrl, SOURCE_ADDRESSES), horizonMs);
    const t1 = performance.now();
    input.signal?.addEventListener(
      'abort',
      () => {
        ctx.endMs = Date.now();
      },
      { once: true },
    );
    await runCrowd(ctx, night.supply.seatsTonight, input.onStep);
    const t2 = performance.now();
    await waitForOutbox(night.database.db);
    const exitCode = await servers.stop();
    servers = null;
    await ctx.http.close();
    const db = night.database.db;
    const invariants = await checkInvariants(
      db,
      CAMPAIGN_ID,
      await deliveredFromFile(db, outboxFile),
      ctx.rec.total('bookings'),
    );
    const seatsLeft = await freeSeats(db, s.cohort.birthDayDigits);
    await night.database.close();
    const cleanedUp = o.keep
      ? null
      : {
          keys: await deletePrefix(o.redisUrl, runId),
          databasesDropped: (await dropDatabase(o.databaseUrl, runId), 1),
        };
    const stoppedBy = input.signal?.aborted
      ? 'interrupted'
      : horizonMs < night.opensAtMs + s.simulation.minutesAfterOpening * 60_000
        ? 'wall-limit'
        : 'horizon';
    const view: RunView = {
      mode: 'live',
      scenario: s,
      crowd: night.crowd,
      rec: ctx.rec,
      etaPromises: ctx.etaPromises,
      opensAtMs: night.opensAtMs,
      campaignId: CAMPAIGN_ID,
      counts: night.counts,
      supply: night.supply,
      seatsLeft,
      invariants,
      wallMs: { setup: t1 - t0, run: t2 - t1, finish: performance.now() - t2 },
      stoppedBy,
      service,
      runId,
      cleanedUp,
      plannedJoins: plannedJoins(night.crowd),
      polls: { real: ctx.rec.total('pollsReal'), answeredFromSnapshot: 0 },
      positionOf: admissionRank(night.crowd),
      real: LIVE_MODE_REAL,
      simulated: LIVE_MODE_SIMULATED,
      extra: {
        workers: o.workers,
        speedup: o.speedup,
        requests: ctx.counts.requests,
        http429: ctx.counts.tooMany,
        http5xx: ctx.counts.serverErrors,
        serversExitCode: exitCode,
        serversLog: join(o.out, 'servers.log'),
      },
    };
    const summary = buildSummary(
      view,
      { command: input.command, startedAt: input.startedAt, outDir: o.out, scale: o.scale },
      performance.now() - t0,
    );
    writeReport(
      o.out,
      summary,
      chartData(ctx.rec, night.opensAtMs, ctx.etaPromises, night.crowd.admittedAtMs),
      `yeyak simulate: ${s.title} (live mode, scale ${o.scale}, ${o.speedup}x)`,
    );
    isFinished = true;
    return summary;
  } finally {
    if (servers) await servers.stop().catch(() => null);
    if (!isFinished && !o.keep) {
      await dropDatabase(o.databaseUrl, runId).catch(() => undefined);
      await deletePrefix(o.redisUrl, runId).catch(() => 0);
    }
  }
}

/** Migrates the run's database and seeds tonight: the campaign moved to a minute from now, the people, the slots. */
async function prepareNight(
  s: Scenario,
  scale: number,
  dbUrl: string,
  hmacKey: string,
  onPhase: LiveRunInput['onPhase'],
) {
  const database = await openDatabase({ databaseUrl: dbUrl, pgliteDir: null, poolSize: 4 });
  await migrate(database);
  const db = database.db;
  // Opening on a whole minute (rotation times are HH:MM), far enough ahead for setup and the pre-room.
  const opensAtMs =
    Math.ceil((Date.now() + 60_000 + s.simulation.startMinutesBeforeOpening * 60_000) / 60_000) * 60_000;
  const rules = liveCampaignRules(
    loadSeedCampaigns().find((c) => c.id === s.campaignId)!,
    CAMPAIGN_ID,
    opensAtMs,
  );
  const campaigns = createCampaignService({
    store: createCampaignRepository(db),
    clock: systemClock,
    countsByBirthDate: () => countPeopleByBirthDate(db),
  });
  const saved = await campaigns.saveVersion(rules, 'simulator', true);
  if (!saved.ok) throw new Error(`live campaign invalid: ${JSON.stringify(saved.detail)}`);
  const { crowd, counts } = await buildCrowd({
    db,
    hmacKey,
    scenario: s,
    scale,
    opensAtMs,
    keepCredentials: true,
    onProgress: (d, n) => onPhase?.('registering people', d, n),
  });
  const supply = await seedSupply({
    db,
    scenario: s,
    scale,
    campaignId: CAMPAIGN_ID,
    opensAtMs,
    doseIntervalDays: rules.cohorts[0]!.vaccine.doseIntervalDays,
  });
  return { database, opensAtMs, crowd, counts, supply };
}

function serverEnv(a: {
  secrets: Record<string, string>;
  dbUrl: string;
  runId: string;
  dataDir: string;
  outboxFile: string;
  service: ReturnType<typeof scaledService>;
  options: CliOptions;
}): Record<string, string> {
  return {
    ...a.secrets,
    DATABASE_URL: a.dbUrl,
    REDIS_URL: a.options.redisUrl,
    REDIS_KEY_PREFIX: a.runId,
    WORKERS: String(a.options.workers),
    DATA_DIR: a.dataDir,
    SEED_DEMO: 'false',
    OPERATOR_ACCOUNTS: `operator:operator:${a.runId}-operator-password`,
    LOG_LEVEL: 'warn',
    COOKIE_SECURE: 'false',
    OUTBOX_CHANNEL: 'file',
    OUTBOX_FILE: a.outboxFile,
    WAITING_ROOM_PARTITIONS: String(a.service.partitions),
    ADMISSION_TICK_MS: String(a.service.admissionTickMs),
    ADMISSION_INITIAL_RATE_PER_SEC: String(a.service.admissionInitialRatePerSec),
    ADMISSION_MAX_RATE_PER_SEC: String(a.service.admissionMaxRatePerSec),
    ACTIVE_SESSION_CAP: String(a.service.activeSessionCap),
  };
}

function liveContext(
  s: Scenario,
  o: CliOptions,
  night: Awaited<ReturnType<typeof prepareNight>>,
  http: Http,
  horizonMs: number,
): LiveCtx {
  const startMs = night.opensAtMs - s.simulation.startMinutesBeforeOpening * 60_000;
  return {
    http,
    crowd: night.crowd,
    rec: new Recorder(startMs, Math.ceil((horizonMs - startMs) / 1000) + 120),
    scenario: s,
    campaignId: CAMPAIGN_ID,
    opensAtMs: night.opensAtMs,
    endMs: horizonMs,
    credentials: night.crowd.credentials,
    rng: createPrng(deriveSeed(s.seed, 'live')),
    etaPromises: new Map(),
    background: [],
    counts: { requests: 0, tooMany: 0, serverErrors: 0 },
    speedup: o.speedup,
  };
}

/** Everyone's night, the gauge sampler beside it; then the outcomes of those the end caught mid-way. */
async function runCrowd(ctx: LiveCtx, seatsTonight: number, onStep: LiveRunInput['onStep']): Promise<void> {
  const crowd = ctx.crowd;
  const people = [];
  for (let i = 0; i < crowd.size; i += 1)
    if (crowd.comes(i))
      people.push(
        livePerson(ctx, i).catch((e: unknown) => {
          ctx.rec.fail(`client-error-${(e as Error).message.slice(0, 60)}`);
        }),
      );
  const sampler = sample(ctx, seatsTonight, onStep);
  await Promise.all(people);
  await Promise.all(ctx.background);
  await sampler;
  for (let i = 0; i < crowd.size; i += 1) {
    if (crowd.state[i] === State.waiting) crowd.outcome[i] = Outcome.stillWaiting;
    else if (crowd.state[i] === State.admitted) crowd.outcome[i] = Outcome.inSession;
  }
}

/** Once a second: the queue's gauges from /metrics, seats left from the database, progress. */
async function sample(ctx: LiveCtx, seatsTonight: number, onStep: LiveRunInput['onStep']): Promise<void> {
  const gauge = (text: string, name: string) =>
    Number(new RegExp(`^${name}\\{campaign="${ctx.campaignId}"\\} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  const horizonMs = ctx.endMs;
  while (Date.now() < ctx.endMs) {
    const now = Date.now();
    const text = await ctx.http.text('/metrics').catch(() => '');
    const waiting = gauge(text, 'waiting_room_queue_length');
    ctx.rec.gauge('waiting', now, waiting);
    ctx.rec.gauge('activeSessions', now, gauge(text, 'waiting_room_active_sessions'));
    ctx.rec.gauge('ratePerSec', now, gauge(text, 'waiting_room_admission_rate_per_second'));
    ctx.rec.gauge('sessionLimit', now, gauge(text, 'waiting_room_session_limit'));
    ctx.rec.count('advanced', now, Math.round(gauge(text, 'waiting_room_admitted_per_second') || 0));
    ctx.rec.gauge('slotsLeft', now, seatsTonight - ctx.rec.total('bookings'));
    const r = ctx.rec;
    onStep?.({
      virtualMs: now,
      startMs: r.startMs,
      horizonMs,
      opensAtMs: ctx.opensAtMs,
      arrivals:
        r.total('arrivalsFirst') +
        r.total('arrivalsReload') +
        r.total('arrivalsOtherDevice') +
        r.total('arrivalsComeback'),
      waiting: Number.isNaN(waiting) ? 0 : waiting,
      booked: r.total('bookings'),
    });
    await new Promise((res) => setTimeout(res, Math.max(0, 1_000 - (Date.now() - now))));
  }
}

/** Rank of the admission instant, 0..1 among pre-opening (or post-opening) joiners: live mode cannot see seqs. */
function admissionRank(crowd: RunView['crowd']): (i: number) => number | null {
  const bounds = [
    [Infinity, -Infinity],
    [Infinity, -Infinity],
  ] as [number, number][];
  for (let i = 0; i < crowd.size; i += 1) {
    const a = crowd.admittedAtMs[i]!;
    if (Number.isNaN(a)) continue;
    const b = bounds[crowd.wasPreOpening[i]!]!;
    b[0] = Math.min(b[0], a);
    b[1] = Math.max(b[1], a);
  }
  return (i) => {
    const a = crowd.admittedAtMs[i]!;
    if (Number.isNaN(a)) return null;
    const [lo, hi] = bounds[crowd.wasPreOpening[i]!]!;
    return hi > lo ? (a - lo) / (hi - lo) : 0.5;
  };
}

async function waitForOutbox(db: import('../../src/platform/db.ts').Db): Promise<void> {
  for (let k = 0; k < 60; k += 1) {
    const r = await sql<{
      n: number;
    }>`select count(*)::int as n from outbox where sent_at is null and failed_at is null`.execute(db);
    if ((r.rows[0]?.n ?? 0) === 0) return;
    await new Promise((res) => setTimeout(res, 500));
  }
}

/** Deliveries per booking number, from the servers' file channel (one JSON line per message sent). */
async function deliveredFromFile(
  db: import('../../src/platform/db.ts').Db,
  file: string,
): Promise<Map<string, number>> {
  const numbers = new Map(
    (
      await db
        .selectFrom('outbox')
        .innerJoin('bookings', 'bookings.id', 'outbox.booking_id')
        .select(['outbox.id', 'bookings.booking_number'])
        .where('outbox.kind', '=', 'booking-confirmed')
        .execute()
    ).map((r) => [r.id, r.booking_number]),
  );
  const delivered = new Map<string, number>();
  if (!existsSync(file)) appendFileSync(file, '');
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const m = JSON.parse(line) as { outboxId: number; kind: string };
    if (m.kind !== 'booking-confirmed') continue;
    const n = numbers.get(m.outboxId) ?? `unknown-outbox-${m.outboxId}`;
    delivered.set(n, (delivered.get(n) ?? 0) + 1);
  }
  return delivered;
}

/** First-dose seats still free tonight, from the database (on a rotation day, tonight's digits only). */
async function freeSeats(
  db: import('../../src/platform/db.ts').Db,
  digits: readonly number[] | undefined,
): Promise<number> {
  const groups = digits ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const r = await sql<{ n: number }>`select coalesce(sum(capacity - booked), 0)::int as n from slots
    where campaign_id = ${CAMPAIGN_ID} and dose = 1 and (rotation_group is null or rotation_group in (${sql.join(groups)}))`.execute(
    db,
  );
  return r.rows[0]?.n ?? 0;
}
