/**
 * npm run plan -- --scenario 2021-07-19 [--scale 0.1] [--cohort N] [--bench FILE] [--rate R] [--json]
 *
 * The capacity plan before an opening (src/capacity/capacity-plan.ts): from a scenario's cohort and
 * arrival curve (data/scenarios/<id>.json, validated by the simulator's own validator) and the
 * numbers `npm run bench` measured, what the night takes and the admission rate to enter.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { planCapacity, type CapacityPlan } from '../../src/capacity/capacity-plan.ts';
import { EXAMPLE_BENCH_RESULTS, LATEST_BENCH_RESULTS } from '../../src/capacity/bench-results.ts';
import { readMeasured } from '../../src/capacity/capacity-files.ts';
import { planFromScenario } from '../../src/capacity/scenario-demand.ts';
import { listScenarios, loadScenario } from '../simulator/scenario.ts';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);

export const USAGE = `Usage: npm run plan -- --scenario <id> [options]

The capacity plan for an opening: front-door processes, edge, Redis, Postgres, the queue's peak and
drain time, and the admission rate to enter as the campaign's planned admission rate.

  --scenario <id>     arrival curve and behaviour: one of ${listScenarios().join(', ')} (data/scenarios/<id>.json)
  --scale <x>         share of the scenario's cohort and admission limits, 0 < x <= 1 (as npm run simulate; default 1)
  --cohort <n>        people eligible (replaces the scenario's cohort; not scaled)
  --bench <file>      npm run bench results; repeat for several runs (each phase from the last file that has it)
                      (default: the committed ${EXAMPLE_BENCH_RESULTS.join(' and ')}, then ${LATEST_BENCH_RESULTS}
                      when it exists, whose phases replace theirs)
  --rate <r>          admit at r per second instead of the planned rate (what-if)
  --json              the whole plan as JSON (with the minute-by-minute series)
  --help              this text`;

export interface PlanCliOptions {
  scenario: string;
  scale: number;
  cohort: number | null;
  bench: string[];
  rate: number | null;
  json: boolean;
}

/** The options, or every problem with the flags. */
export function parsePlanCli(
  argv: string[],
  fileExists: (p: string) => boolean,
): { help: true } | { options: PlanCliOptions } | { problems: string[] } {
  let v;
  try {
    v = parseArgs({
      args: argv,
      strict: true,
      options: {
        scenario: { type: 'string' },
        scale: { type: 'string' },
        cohort: { type: 'string' },
        bench: { type: 'string', multiple: true },
        rate: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (e) {
    return { problems: [(e as Error).message] };
  }
  if (v.help) return { help: true };
  const problems: string[] = [];
  const known = listScenarios();
  if (!v.scenario) problems.push(`--scenario is required (one of: ${known.join(', ')})`);
  else if (!known.includes(v.scenario))
    problems.push(`--scenario: unknown '${v.scenario}' (one of: ${known.join(', ')})`);
  const number = (flag: string, raw: string | undefined, isOk: (n: number) => boolean, what: string) => {
    if (raw === undefined) return null;
    const n = Number(raw);
    if (!Number.isFinite(n) || !isOk(n)) {
      problems.push(`--${flag}: expected ${what}, got '${raw}'`);
      return null;
    }
    return n;
  };
  const scale = number('scale', v.scale, (n) => n > 0 && n <= 1, 'a number with 0 < x <= 1') ?? 1;
  const cohort = number('cohort', v.cohort, (n) => Number.isInteger(n) && n >= 1, 'a whole number of people ≥ 1');
  const rate = number('rate', v.rate, (n) => n > 0, 'admissions per second > 0');
  // By default the committed runs, then this machine's latest run: its phases replace theirs.
  const bench = v.bench ?? [
    ...EXAMPLE_BENCH_RESULTS,
    ...(fileExists(resolve(ROOT, LATEST_BENCH_RESULTS)) ? [LATEST_BENCH_RESULTS] : []),
  ];
  for (const f of bench)
    if (!fileExists(resolve(ROOT, f)) && !fileExists(resolve(f)))
      problems.push(`--bench: no such file '${f}' (run npm run bench, or use ${EXAMPLE_BENCH_RESULTS.join(' ')})`);
  if (problems.length > 0) return { problems };
  return { options: { scenario: v.scenario!, scale, cohort, bench, rate, json: v.json ?? false } };
}

/** The plan for the options (reads the scenario and the bench results). */
export function planFor(o: PlanCliOptions): CapacityPlan {
  const scenario = loadScenario(o.scenario);
  const measured = readMeasured(o.bench.map((f) => (existsSync(resolve(f)) ? resolve(f) : resolve(ROOT, f))));
  if (!measured.ok)
    throw new Error(
      `${o.bench.join(', ')} lack:\n  ${(measured.detail?.missing as string[]).join('\n  ')}\n` +
        `run those bench phases, or add another run's results with more --bench (e.g. ${EXAMPLE_BENCH_RESULTS.join(' ')})`,
    );
  const { demand, service } = planFromScenario(scenario, { scale: o.scale, eligible: o.cohort ?? undefined });
  return planCapacity({ demand, service, measured: measured.value, admissionRatePerSec: o.rate });
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (b: number) => `${(b / 2 ** 20).toLocaleString('en-US', { maximumFractionDigits: 0 })} MiB`;
const gib = (b: number) => `${(b / 2 ** 30).toLocaleString('en-US', { maximumFractionDigits: 1 })} GiB`;
const size = (b: number) => (b >= 2 ** 30 ? gib(b) : mib(b));
const mins = (m: number | null) => (m === null ? 'does not drain within the horizon' : `T+${m.toFixed(1)} min`);

export function renderPlan(p: CapacityPlan, header: string): string {
  const a = p.admission,
    q = p.queue,
    f = p.frontDoor;
  const lines = [
    header,
    `measured by npm run bench: ${p.measuredFrom.file} (${p.measuredFrom.measuredAt}; ${p.measuredFrom.machine})`,
    '',
    `people       ${int(p.people.eligible)} eligible → ${int(p.people.joining)} join (${int(p.people.proxies)} children for a parent, ${int(p.people.outsiders)} outsiders); ${int(p.people.joinRequests)} join requests in all`,
    '',
    'admission',
    `  opening rate          ${a.openingRatePerSec.toLocaleString('en-US')} admissions/s  ← enter as the campaign's planned admission rate (the first ETAs start from it): the mean until the queue drains`,
    `  sustained rate        ${a.plannedRatePerSec.toLocaleString('en-US')} admissions/s  what the plan sizes for, once admissions that never book are held to their expiry (limited by ${a.limitedBy})`,
    `  session               ${a.sessionSeconds} s mean; ${Math.round(a.presentShare * 100)} % of people reached are there to claim`,
    ...a.schedule.map((s) => `  from T+${s.fromMinutes} min  ${s.ratePerSec.toLocaleString('en-US')}/s  ${s.note}`),
    '',
    'queue',
    `  pre-room at opening   ${int(q.preRoomAtOpening)}`,
    `  peak                  ${int(q.peak)} at T+${q.peakAtMinutes} min`,
    `  drained               ${mins(q.drainedAtMinutes)} (≤ 1 % of the peak)`,
    `  active sessions       ${int(q.peakActiveSessions)} at most`,
    '',
    'peak load (per second)',
    `  join requests ${int(p.peak.joinRequestsPerSec)}, verifications ${int(p.peak.verificationsPerSec)}, snapshot polls ${int(p.peak.snapshotPollsPerSec)}, heartbeats ${int(p.peak.heartbeatsPerSec)}`,
    `  claims ${int(p.peak.claimsPerSec)}, booking-path requests ${int(p.peak.bookingRequestsPerSec)}, bookings ${int(p.peak.bookingsPerSec)}`,
    '',
    'front door (Node)',
    `  processes             ${f.processes} (one per core; core-seconds/s: joins ${f.coreSeconds.joins}, verifications ${f.coreSeconds.verifications}, heartbeats ${f.coreSeconds.heartbeats}, claims ${f.coreSeconds.claims}, booking path ${f.coreSeconds.bookingPath})`,
    `  JOIN_BUDGET_PER_SEC   ${int(f.joinBudgetPerProcess)} per process`,
    `  without an edge       +${f.snapshotCoresWithoutEdge} cores for the snapshot polls`,
    'edge (nginx)',
    `  cores                 ${p.edge.cores} (snapshot ${p.edge.snapshotCores}, joins ${p.edge.joinCores}); origin snapshot requests ≈ ${p.edge.originSnapshotRequestsPerSec}/s`,
    `  join rate to pass on  ${int(p.edge.joinRatePerSec)}/s in all (limit_req), the rest refused at the edge`,
    'Redis',
    `  shards (masters)      ${p.redis.shards} (${p.redis.shardsForLoad} for the load), ${int(p.redis.peakCommandsPerSec)} commands/s at the peak, WAITING_ROOM_PARTITIONS ${p.redis.partitions}`,
    `  memory                ${size(p.redis.memoryBytes)} in all with replicas, ${size(p.redis.memoryPerShardBytes)} per shard`,
    'Postgres',
    `  primary               ${p.postgres.cores} cores (${Math.round(p.postgres.utilisation * 100)} % of measured booking capacity at ${int(p.postgres.peakBookingsPerSec)} bookings/s), ~${p.postgres.connections} server connections through a pooler`,
    `  verification reads    ${int(p.postgres.peakVerificationReadsPerSec)}/s at the peak (replicas or a cache)`,
    `  storage               ${size(p.postgres.storageBytes)} for ${int(p.postgres.bookings)} bookings and the registry`,
    '',
    'assumptions',
    ...p.assumptions.map((s) => `  - ${s}`),
  ];
  return lines.join('\n');
}

function main(): number {
  const parsed = parsePlanCli(process.argv.slice(2), existsSync);
  if ('help' in parsed) {
    console.log(USAGE);
    return 0;
  }
  if ('problems' in parsed) {
    console.error(`npm run plan: bad flags\n  ${parsed.problems.join('\n  ')}\n\n${USAGE}`);
    return 2;
  }
  const o = parsed.options;
  let plan: CapacityPlan;
  try {
    plan = planFor(o);
  } catch (e) {
    console.error(`npm run plan: ${(e as Error).message}`);
    return 1;
  }
  if (o.json) {
    console.log(JSON.stringify({ scenario: o.scenario, scale: o.scale, bench: o.bench, plan }, null, 2));
    return 0;
  }
  const cohort = o.cohort === null ? `scale ${o.scale}` : `cohort ${int(o.cohort)}`;
  console.log(renderPlan(plan, `capacity plan: scenario ${o.scenario}, ${cohort}`));
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main();
