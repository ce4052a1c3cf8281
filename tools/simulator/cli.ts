/**
 * npm run simulate -- --scenario 2021-07-19 --mode full --scale 1
 * npm run simulate -- --scenario 2021-07-19 --mode live --scale 0.001
 *
 * Parses and checks every flag (all problems at once), runs the chosen mode with a progress bar,
 * writes summary.json, timeseries.json and report.html under the output folder, prints the summary's
 * headline and exits 0 only when every invariant held.
 */
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, checkStores, scaledService } from './environment.ts';
import { runFull, type FullOptions } from './full-run.ts';
import { LEVEL_FROM_MINUTE, planFromRehearsal, rehearse } from './rehearsal.ts';

import { runLive } from './live-run.ts';
import type { CliOptions } from './cli-options.ts';
import { buildSummary, chartData, fullView, writeReport } from './report.ts';
import { etaMinuteTable } from './summary.ts';
import { listScenarios, loadScenario } from './scenario.ts';

const USAGE = `Usage: npm run simulate -- --scenario <id> [options]

Replays an opening night through yeyak and writes a report.

  --scenario <id>          one of: ${listScenarios().join(', ')} (data/scenarios/<id>.json)
  --mode full|live         full: the whole cohort through the real services on a virtual clock, no HTTP
                           live: real HTTP clients against server processes started on 127.0.0.1
                           (default full)
  --scale <x>              share of the scenario's cohort, facilities and admission limits, 0 < x <= 1
                           (default 0.01 in full mode, 0.001 in live mode)
  --out <dir>              output folder (default artifacts/simulate/<scenario>-<mode>-<timestamp>)
  --database-url <url>     Postgres to create the run's schema/database in
                           (default $DATABASE_URL or ${DEFAULT_DATABASE_URL})
  --redis-url <url>        Redis for the queue (default $REDIS_URL or ${DEFAULT_REDIS_URL}); keys get a unique prefix
  --max-wall-minutes <n>   stop stepping after this much wall time (default 60; a rehearsal has its own)
  --booking-workers <n>    full mode: worker threads serving the booking path, each with its own services
                           and pools, as production spreads it over processes (default 2; 0: the simulator's thread)
  --admission-rate <r>     full mode: pin the admission rate at r per second from the start (the planned
                           rate of npm run plan, at the same --scale); default: the AIMD controller adapts
  --no-planned-turnover    full mode: enter the plan's opening rate without its turnover curve (ETAs then
                           assume the measured rate lasts), to compare
  --rehearse <minutes>     full mode: first rehearse the night on this machine (same scenario and scale, nothing
                           planned) until <minutes> after the opening, then enter what it measured: the session
                           limit it held as the session cap, its session turnover and mean as the planned rate
                           (an operator's load test of their own deployment; default: the capacity plan)
  --speedup <n>            live mode: people's behaviour runs n times faster than the scenario's minutes (default 60)
  --workers <n>            live mode: server processes (node:cluster, default 2)
  --keep                   keep the run's schema/database and Redis keys for inspection
  --no-progress            no progress bar
  --help                   this text

Exit code: 0 when every invariant held, 1 when one was violated, 2 for bad flags or missing stores.`;

/** The options, or every problem with the flags. Pure (env passed in) so it can be tested. */
export function parseCli(
  argv: string[],
  env: Record<string, string | undefined>,
  nowIso: string,
): { help: true } | { options: CliOptions } | { problems: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        scenario: { type: 'string' },
        mode: { type: 'string' },
        scale: { type: 'string' },
        out: { type: 'string' },
        'database-url': { type: 'string' },
        'redis-url': { type: 'string' },
        'max-wall-minutes': { type: 'string' },
        speedup: { type: 'string' },
        workers: { type: 'string' },
        'booking-workers': { type: 'string' },
        'admission-rate': { type: 'string' },
        keep: { type: 'boolean' },
        'no-planned-turnover': { type: 'boolean' },
        rehearse: { type: 'string' },
        'no-progress': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (e) {
    return { problems: [(e as Error).message] };
  }
  const v = parsed.values;
  if (v.help) return { help: true };
  const problems: string[] = [];
  const known = listScenarios();
  if (!v.scenario) problems.push(`--scenario is required (one of: ${known.join(', ')})`);
  else if (!known.includes(v.scenario))
    problems.push(`--scenario: unknown '${v.scenario}' (one of: ${known.join(', ')})`);
  const mode = v.mode ?? 'full';
  if (mode !== 'full' && mode !== 'live') problems.push(`--mode: expected full or live, got '${mode}'`);
  const num = (flag: string, raw: string | undefined, fallback: number, ok: (n: number) => boolean, what: string) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || !ok(n)) problems.push(`--${flag}: expected ${what}, got '${raw}'`);
    return n;
  };
  const scale = num(
    'scale',
    v.scale,
    mode === 'live' ? 0.001 : 0.01,
    (n) => n > 0 && n <= 1,
    'a number with 0 < x <= 1',
  );
  const maxWallMinutes = num(
    'max-wall-minutes',
    v['max-wall-minutes'],
    60,
    (n) => n > 0 && n <= 24 * 60,
    'minutes in (0, 1440]',
  );
  const speedup = num('speedup', v.speedup, 60, (n) => n >= 1 && n <= 1000, 'a number in [1, 1000]');
  const workers = num('workers', v.workers, 2, (n) => Number.isInteger(n) && n >= 1 && n <= 16, 'an integer in 1..16');
  const bookingWorkers = num(
    'booking-workers',
    v['booking-workers'],
    2,
    (n) => Number.isInteger(n) && n >= 0 && n <= 16,
    'an integer in 0..16',
  );
  const admissionRate =
    v['admission-rate'] === undefined
      ? null
      : num('admission-rate', v['admission-rate'], 0, (n) => n > 0 && n <= 1_000_000, 'admissions per second > 0');
  const rehearseMinutes =
    v.rehearse === undefined
      ? null
      : num('rehearse', v.rehearse, 0, (n) => Number.isInteger(n) && n >= 1 && n <= 30, 'whole minutes in 1..30');
  if (rehearseMinutes !== null && mode !== 'full') problems.push('--rehearse: full mode only');
  if (rehearseMinutes !== null && admissionRate !== null)
    problems.push('--rehearse and --admission-rate: a pinned rate is the plan, there is nothing to rehearse');
  for (const [flag, url, scheme] of [
    ['database-url', v['database-url'], 'postgres'],
    ['redis-url', v['redis-url'], 'redis'],
  ] as const) {
    if (url !== undefined && !url.startsWith(`${scheme}`)) problems.push(`--${flag}: expected a ${scheme}:// URL`);
  }
  if (problems.length > 0) return { problems };
  const stamp = nowIso.replace(/[:.]/g, '-');
  return {
    options: {
      scenario: v.scenario!,
      mode: mode as 'full' | 'live',
      scale,
      maxWallMinutes,
      speedup,
      workers,
      bookingWorkers,
      admissionRatePerSec: admissionRate,
      out: resolve(v.out ?? join('artifacts', 'simulate', `${v.scenario}-${mode}-${stamp}`)),
      databaseUrl: v['database-url'] ?? env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
      redisUrl: v['redis-url'] ?? env.REDIS_URL ?? DEFAULT_REDIS_URL,
      keep: v.keep ?? false,
      plannedTurnover: !(v['no-planned-turnover'] ?? false),
      rehearseMinutes,
      progress: !(v['no-progress'] ?? false),
    },
  };
}

/** A progress bar on a terminal; elsewhere (a log file) one plain line every 30 s. */
function progressBar(enabled: boolean, isTty: boolean) {
  if (enabled && !isTty) return progressLines();
  const bar = new cliProgress.SingleBar(
    {
      format: '{phase} |{bar}| {percentage}% {clock} arrivals {arrivals} waiting {waiting} booked {booked}',
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let current = '';
  return {
    phase(name: string, done: number, total: number) {
      if (!enabled) return;
      if (current !== name) {
        if (current) bar.stop();
        bar.start(total, 0, { phase: name.padEnd(18), clock: '', arrivals: '-', waiting: '-', booked: '-' });
        current = name;
      }
      bar.update(done);
    },
    step(p: {
      virtualMs: number;
      startMs: number;
      horizonMs: number;
      opensAtMs: number;
      arrivals: number;
      waiting: number;
      booked: number;
    }) {
      if (!enabled) return;
      const total = Math.round((p.horizonMs - p.startMs) / 1000);
      const minutes = (p.virtualMs - p.opensAtMs) / 60_000;
      this.phase('simulating', Math.round((p.virtualMs - p.startMs) / 1000), total);
      bar.update(Math.round((p.virtualMs - p.startMs) / 1000), {
        clock: `T${minutes >= 0 ? '+' : ''}${minutes.toFixed(1)} min`,
        arrivals: p.arrivals,
        waiting: p.waiting,
        booked: p.booked,
      });
    },
    stop() {
      if (enabled && current) bar.stop();
    },
  };
}

function progressLines() {
  let last = 0;
  const due = () => {
    const now = Date.now();
    if (now - last < 30_000) return false;
    last = now;
    return true;
  };
  return {
    phase(name: string, done: number, total: number) {
      if (due()) console.error(`${new Date().toISOString()} ${name} ${done}/${total}`);
    },
    step(p: { virtualMs: number; opensAtMs: number; arrivals: number; waiting: number; booked: number }) {
      if (due())
        console.error(
          `${new Date().toISOString()} T${((p.virtualMs - p.opensAtMs) / 60_000).toFixed(1)} min arrivals ${p.arrivals} waiting ${p.waiting} booked ${p.booked}`,
        );
    },
    stop() {},
  };
}

async function main(): Promise<number> {
  const startedAt = new Date().toISOString();
  const parsed = parseCli(process.argv.slice(2), process.env, startedAt);
  if ('help' in parsed) {
    console.log(USAGE);
    return 0;
  }
  if ('problems' in parsed) {
    console.error(`npm run simulate: bad flags\n  ${parsed.problems.join('\n  ')}\n\n${USAGE}`);
    return 2;
  }
  const o = parsed.options;
  const scenario = loadScenario(o.scenario);
  const missing = await checkStores(o.databaseUrl, o.redisUrl);
  if (missing.length > 0) {
    console.error(`npm run simulate: needs Postgres and Redis\n  ${missing.join('\n  ')}`);
    return 2;
  }
  const command = `npm run simulate -- ${process.argv.slice(2).join(' ')}`;
  const bar = progressBar(o.progress, process.stderr.isTTY === true);
  const t0 = performance.now();
  // Ctrl-C / SIGTERM: stop at the next step (or stop the set-up), still write the report and remove the
  // run's stores. A signal again does not cut that short: `pkill -f` on the command line reaches npm and
  // tsx too, which relay it, and the second SIGTERM used to end this process mid-set-up with its schema left behind.
  const interrupt = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => {
      if (interrupt.signal.aborted) return;
      console.error(`\n${sig}: stopping, cleaning up… (kill -9 to leave without cleaning up)`);
      interrupt.abort();
    });
  let summary;
  if (o.mode === 'full') {
    const full: FullOptions = {
      scenario,
      scale: o.scale,
      databaseUrl: o.databaseUrl,
      redisUrl: o.redisUrl,
      dataDir: join(o.out, 'data'),
      maxWallMs: o.maxWallMinutes * 60_000,
      keep: o.keep,
      onPhase: bar.phase,
      onStep: (p) => bar.step(p),
      signal: interrupt.signal,
      bookingWorkers: o.bookingWorkers,
      ...(o.admissionRatePerSec === null ? {} : { admissionRatePerSec: o.admissionRatePerSec }),
      plannedTurnover: o.plannedTurnover,
    };
    const plan = o.rehearseMinutes === null ? undefined : await rehearsedPlan(full, o.rehearseMinutes, bar);
    const result = await runFull({ ...full, ...(plan ? { plan } : {}) });
    bar.stop();
    summary = buildSummary(
      fullView(result),
      { command, startedAt, outDir: o.out, scale: o.scale },
      performance.now() - t0,
    );
    writeReport(
      o.out,
      summary,
      chartData(result.sim.rec, result.sim.opensAtMs, result.sim.etaPromises, result.sim.crowd.admittedAtMs),
      `yeyak simulate: ${scenario.title} (full mode, scale ${o.scale})`,
    );
  } else {
    summary = await runLive({
      scenario,
      options: o,
      command,
      startedAt,
      onPhase: bar.phase,
      onStep: (p) => bar.step(p),
      signal: interrupt.signal,
    });
    bar.stop();
  }
  console.log(headline(summary as Record<string, any>, o.out));
  const byMinute = (summary as { eta?: { byMinute?: Parameters<typeof etaMinuteTable>[0] } }).eta?.byMinute;
  if (byMinute)
    console.log(`ETA by the minute it was shown (0 = the opening's first minute):\n${etaMinuteTable(byMinute)}`);
  return (summary as { invariants: { allOk: boolean } }).invariants.allOk ? 0 : 1;
}

/** Rehearses, prints what it measured and the plan made from it (none when the queue held nobody back). */
async function rehearsedPlan(full: FullOptions, minutes: number, bar: { stop(): void }): Promise<FullOptions['plan']> {
  const r = await rehearse(full, minutes);
  bar.stop();
  const head = `rehearsal to T+${minutes} min (${r.wallSeconds} s wall, ${r.booked} booked)`;
  if (!r.plan) {
    console.log(`${head}: the queue held nobody back at the end; the capacity plan is entered`);
    return undefined;
  }
  const m = r.plan;
  const p = planFromRehearsal(
    m,
    full.scenario,
    full.scale,
    scaledService(full.scenario.service, full.scale).activeSessionCap,
  );
  console.log(
    `${head}: most in session at the end ${m.sessionCap}; admitted per second by minute once the sessions had filled ${m.turnoverPerSec.join(', ')} (mean ${m.ratePerSec}/s over ${m.heldSeconds} s)`,
  );
  console.log(
    `entered: session cap ${p.activeSessionCap} (floor ${p.activeSessionFloor}), planned rate ${p.rate.ratePerSec}/s and turnover curve (${p.rate.turnoverPerSec.length} minutes: ${p.rate.turnoverPerSec.slice(0, 10).join(', ')}…), the capacity plan at that cap × ${p.levelFactor}${minutes <= LEVEL_FROM_MINUTE ? ` (the model's level: a rehearsal of ${LEVEL_FROM_MINUTE} min or less sets only the cap)` : ''}`,
  );
  return p;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
/** ", with its turnover curve (N minutes)" when the plan's turnover was entered with the planned rate. */
function turnoverNote(service: { admissionPlannedTurnoverPerSec?: readonly number[] }): string {
  const n = service.admissionPlannedTurnoverPerSec?.length ?? 0;
  return n > 0 ? `, with its turnover curve (${n} minutes)` : '';
}

function headline(s: Record<string, any>, out: string): string {
  return [
    `scenario ${s.scenario.id} (${s.mode}, scale ${s.scale}), stopped by ${s.stoppedBy}, wall ${JSON.stringify(s.wallSeconds)}`,
    `arrivals ${s.arrivals.total} (record at this scale ${s.arrivals.recordedTotalAtThisScale}); got a slot ${s.outcome.peopleWhoGotASlot} (${s.outcome.shareOfEligible} of eligible)`,
    `wait after opening median ${s.wait.medianAfterOpeningSec} s, p95 ${s.wait.p95AfterOpeningSec} s; ETA error median ${s.eta.medianAbsErrorSec} s (${Math.round((s.eta.medianRelativeError ?? 0) * 100)} % of the wait), within band ${Math.round((s.eta.withinBandShare ?? 0) * 100)} %, band width median ${Math.round((s.eta.medianBandWidthShare ?? 0) * 100)} % of the wait${s.eta.setAsideForPlacesLost ? ` (${s.eta.setAsideForPlacesLost} set aside: place lost and queued again)` : ''}; planned rate ${s.service.admissionPlannedRatePerSec}/s (${s.service.admissionPlannedRateSource ?? 'scenario'})${turnoverNote(s.service)}`,
    `fairness: Spearman pre-opening ${s.fairness.spearmanArrivalVsPositionPreOpening}, post-opening ${s.fairness.spearmanArrivalVsPositionPostOpening}; bots ${s.fairness.meanPositionPreOpening.bots} vs humans ${s.fairness.meanPositionPreOpening.humans}`,
    `invariants: ${s.invariants.checks.map((c: { name: string; ok: boolean }) => `${c.name} ${c.ok ? 'ok' : 'VIOLATED'}`).join(', ')}`,
    `report: ${join(out, 'report.html')}  summary: ${join(out, 'summary.json')}`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
