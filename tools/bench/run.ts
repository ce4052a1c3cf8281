/**
 * npm run bench [-- --quick] [-- --workers N] [-- --concurrency N] [-- --phases machine,peak,overload]
 *
 * One run, one machine: its limits (pgbench, redis-benchmark), the service's bookings/s end to end
 * and the waiting room's join/poll rates, and 10× overload with and without the waiting room, each
 * printed as a ratio to its baseline with the targets; results also go to
 * artifacts/bench/. Traffic goes to 127.0.0.1 only; every loop is bounded in count and time; every
 * process, scratch database, key prefix and temporary file is removed, also on Ctrl-C or failure.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createCleanup, type Cleanup } from './cleanup.ts';
import { createScratchDatabase, runPgbench, runRedisBenchmark, runWaitingRoomBench } from './machine.ts';
import { renderReport, targetsOf, type BenchReport } from './report.ts';
import { runMeasuredService, type ServicePlan } from './scenario.ts';
import { runTool } from './run-tool.ts';
import { runFrontDoor } from './front-door.ts';

const HELP = `npm run bench [-- options]
  --quick              shorter run (smaller samples, shorter phases), about 5 minutes
  --workers N          service processes (default 2, the number of cores)
  --concurrency N      bookings in flight in the peak phase (default 64)
  --phases LIST        comma-separated subset of machine,peak,overload,frontdoor
  --assume-peak N      bookings/s to overload against when the peak phase is not run
  --cpu-profile DIR    run each service as ONE process under node --cpu-prof, profiles written to DIR
                       (to find where the service's CPU goes; the numbers of such a run are not comparable)
  --help               this text
Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres, a role that may
CREATE DATABASE), BENCH_REDIS_URL (default redis://127.0.0.1:6379). Both must be on 127.0.0.1.
Writes artifacts/bench/bench-<time>.json and artifacts/bench/latest.json.`;

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      workers: { type: 'string', default: '2' },
      concurrency: { type: 'string', default: '64' },
      phases: { type: 'string', default: 'machine,peak,overload,frontdoor' },
      'assume-peak': { type: 'string' },
      'cpu-profile': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const n = (s: string, what: string, max: number) => {
    const v = Number(s);
    if (!Number.isInteger(v) || v < 1 || v > max) {
      console.error(`--${what}: expected an integer in 1..${max}`);
      process.exit(2);
    }
    return v;
  };
  const phases = new Set(values.phases.split(',').map((s) => s.trim()));
  for (const p of phases)
    if (!['machine', 'peak', 'overload', 'frontdoor'].includes(p)) {
      console.error(`--phases: unknown phase ${p}`);
      process.exit(2);
    }
  const assumedPeak = values['assume-peak'] === undefined ? null : n(values['assume-peak'], 'assume-peak', 100_000);
  if (phases.has('overload') && !phases.has('peak') && assumedPeak === null) {
    console.error('--phases overload without peak needs --assume-peak N');
    process.exit(2);
  }
  return {
    quick: values.quick,
    cpuProfileDir: values['cpu-profile'] ? resolve(values['cpu-profile']) : undefined,
    workers: n(values.workers, 'workers', 16),
    concurrency: n(values.concurrency, 'concurrency', 2000),
    phases,
    assumedPeak,
  };
}

function localUrl(name: string, fallback: string): string {
  const raw = process.env[name] || fallback;
  if (new URL(raw).hostname !== '127.0.0.1') {
    console.error(`${name} must point at 127.0.0.1 (bench traffic stays local)`);
    process.exit(2);
  }
  return raw;
}

async function versions(adminUrl: string, redisUrl: string, signal: AbortSignal) {
  const pgv = await runTool('psql', ['-tAc', 'show server_version', adminUrl], { timeoutMs: 10_000, signal })
    .then((r) => `PostgreSQL ${r.stdout.trim()}`)
    .catch(() => 'PostgreSQL ?');
  const u = new URL(redisUrl);
  const rv = await runTool('redis-cli', ['-h', u.hostname, '-p', u.port || '6379', 'info', 'server'], {
    timeoutMs: 10_000,
    signal,
  })
    .then((r) => /redis_version:(\S+)/.exec(r.stdout)?.[1] ?? '?')
    .catch(() => '?');
  return { postgres: pgv, redis: rv };
}

async function phase<T>(report: BenchReport, name: string, f: () => Promise<T>): Promise<T | null> {
  const t = performance.now();
  process.stderr.write(`bench: ${name}…\n`);
  try {
    const v = await f();
    process.stderr.write(`bench: ${name} done in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    return v;
  } catch (e) {
    report.errors.push(`${name}: ${(e as Error).message.split('\n').slice(0, 6).join(' | ')}`);
    process.stderr.write(`bench: ${name} FAILED: ${(e as Error).message}\n`);
    return null;
  }
}

async function main() {
  const opt = options();
  const adminUrl = localUrl('BENCH_DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/postgres');
  const redisUrl = localUrl('BENCH_REDIS_URL', 'redis://127.0.0.1:6379');
  const cleanup: Cleanup = createCleanup({
    budgetMs: (opt.quick ? 12 : 30) * 60_000,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  const runId = `${process.pid}${randomBytes(2).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'yeyak-bench-'));
  cleanup.defer('remove temporary files', () => rmSync(dataDir, { recursive: true, force: true }));
  const plan: ServicePlan = {
    quick: opt.quick,
    workers: opt.workers,
    concurrency: opt.concurrency,
    runId,
    adminUrl,
    redisUrl,
    dataDir,
    assumedPeak: opt.assumedPeak,
    peopleForPeak: opt.quick ? 6_000 : 20_000,
    overloadSec: opt.quick ? 20 : 30,
    warmupSec: opt.quick ? 10 : 12,
    timeoutMs: 10_000,
    cpuProfileDir: opt.cpuProfileDir,
  };
  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    mode: opt.quick ? 'quick' : 'full',
    machine: {
      cores: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? '?',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      ...(await versions(adminUrl, redisUrl, cleanup.signal)),
      loadAverage: loadavg(),
    },
    settings: {
      workers: opt.workers,
      bookingConcurrency: opt.concurrency,
      peakPeople: plan.peopleForPeak,
      overloadSec: plan.overloadSec,
      warmupSec: plan.warmupSec,
      requestTimeoutMs: plan.timeoutMs,
      facilities: 10_000,
    },
    pgbench: null,
    redis: null,
    waitingRoomBench: null,
    peak: null,
    overload: { withRoom: null, direct: null },
    frontDoor: null,
    errors: [],
  };
  try {
    if (opt.phases.has('machine')) {
      report.pgbench = await phase(report, 'pgbench', () =>
        runPgbench({
          adminUrl,
          database: `yeyak_bench_${runId}_pgbench`,
          clients: [8, 32],
          durationSec: opt.quick ? 4 : 10,
          cleanup,
        }),
      );
      report.redis = await phase(report, 'redis-benchmark', () =>
        runRedisBenchmark({
          url: redisUrl,
          keyPrefix: `bench${runId}rb`,
          requests: opt.quick ? 50_000 : 200_000,
          clients: 50,
          cleanup,
        }),
      );
      report.waitingRoomBench = await phase(report, 'waiting-room bench', () =>
        runWaitingRoomBench({ redisUrl, people: opt.quick ? 50_000 : 300_000, concurrency: 256, cleanup }),
      );
    }
    if (opt.phases.has('peak') || opt.phases.has('overload')) {
      const databaseUrl = await createScratchDatabase(adminUrl, `yeyak_bench_${runId}_svc`, cleanup);
      await runMeasuredService({ ...plan, databaseUrl }, opt.phases, report, cleanup, phase);
    }
    if (opt.phases.has('frontdoor')) {
      report.frontDoor = await phase(report, 'front door (wrk, nginx)', async () => {
        const databaseUrl = await createScratchDatabase(adminUrl, `yeyak_bench_${runId}_fd`, cleanup);
        return runFrontDoor({ quick: opt.quick, runId, databaseUrl, redisUrl, dataDir, cleanup });
      });
    }
  } finally {
    await cleanup.runAll();
  }
  report.targets = targetsOf(report);
  const text = [renderReport(report), report.frontDoor?.text].filter(Boolean).join('\n\n');
  console.log(text);
  mkdirSync('artifacts/bench', { recursive: true });
  const json = JSON.stringify({ ...report, text }, null, 2);
  const file = join('artifacts/bench', `bench-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, json);
  writeFileSync(join('artifacts/bench', 'latest.json'), json);
  console.log(`\nresults: ${file} (also artifacts/bench/latest.json)`);
  process.exit(report.errors.length > 0 ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
