/**
 * Reads the per-core and per-shard numbers the capacity plan needs out of the results file that
 * `npm run bench` writes (artifacts/bench/latest.json; tools/bench/report.ts's BenchReport). Pure:
 * the parsed JSON in, the numbers or every missing one out (each says which bench phase measures it).
 *
 * Several files may be given (a run with `--phases` writes only its phases): for each phase the
 * last file listed that measured it counts. The repository ships two runs measured on the
 * development machine (EXAMPLE_BENCH_RESULTS), so a fresh clone can plan before running the bench.
 */
import { err, ok, type Result } from '../platform/result.ts';
import type { MeasuredCapacity } from './capacity-plan.ts';

/**
 * The committed example, relative to the repository root: two quick runs of 2026-11-30 on the
 * development machine (data/bench/README.md). For each phase the last file listed that has it counts.
 */
export const EXAMPLE_BENCH_RESULTS: readonly string[] = [
  'data/bench/bench-2026-11-30T0647Z-2core-machine-frontdoor.json',
  'data/bench/bench-2026-11-30T0613Z-2core-machine-peak.json',
];
/** Where `npm run bench` writes its latest results, relative to the repository root. */
export const LATEST_BENCH_RESULTS = 'artifacts/bench/latest.json';

interface Row {
  name?: unknown;
  cpuUsPerAnswer?: { node?: unknown; nginx?: unknown };
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};

const PHASE_KEYS = ['pgbench', 'redis', 'waitingRoomBench', 'peak', 'frontDoor'] as const;

export interface BenchRun {
  readonly json: unknown;
  readonly file: string;
}

/** One results document from several runs: each phase from the last run that has it. */
export function mergeBenchRuns(runs: readonly BenchRun[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const run of runs) {
    const r = obj(run.json);
    for (const k of PHASE_KEYS) if (r[k] !== null && r[k] !== undefined) merged[k] = r[k];
  }
  return merged;
}

function describeRun(run: BenchRun): string {
  const x = obj(run.json);
  const m = obj(x.machine);
  const text = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
  const load = Array.isArray(m.loadAverage) ? (m.loadAverage as number[]).map((v) => v.toFixed(1)).join(' ') : '?';
  const phases = PHASE_KEYS.filter((k) => x[k] !== null && x[k] !== undefined).join(', ');
  return `${text(x.startedAt, '?')}: ${num(m.cores) ?? '?'} cores, ${text(m.cpuModel, '?')}, ${text(m.postgres, 'PostgreSQL ?')}, Redis ${text(m.redis, '?')}, load average ${load} (${phases || 'nothing'})`;
}

/** The numbers, or 'incomplete-bench-results' with `missing`: what is absent and which phase measures it. */
export function measuredCapacityOf(runs: readonly BenchRun[]): Result<MeasuredCapacity, 'incomplete-bench-results'> {
  const r = mergeBenchRuns(runs);
  const file = runs.map((x) => x.file).join(', ');
  const missing: string[] = [];
  const need = (v: number | null, what: string) => {
    if (v === null) missing.push(what);
    return v ?? 0;
  };
  const rows = (Array.isArray(obj(r.frontDoor).rows) ? obj(r.frontDoor).rows : []) as Row[];
  const row = (prefix: string) => rows.find((x) => typeof x.name === 'string' && x.name.startsWith(prefix));
  const nodeUs = (prefix: string) => num(row(prefix)?.cpuUsPerAnswer?.node);
  const nginxUs = (prefix: string) => num(row(prefix)?.cpuUsPerAnswer?.nginx);
  const overload = obj(obj(r.frontDoor).overload) as Row;
  const pgRuns = Array.isArray(r.pgbench) ? (r.pgbench as { result?: { tps?: unknown } }[]) : [];
  const bestTps = pgRuns.reduce<number | null>((best, run) => {
    const tps = num(run.result?.tps);
    return tps !== null && (best === null || tps > best) ? tps : best;
  }, null);
  const redis = obj(r.redis);
  const machine = obj(obj(runs.at(-1)?.json).machine);
  const fd = '(front door phase: --phases frontdoor)';
  const measured: MeasuredCapacity = {
    source: {
      file,
      measuredAt: runs
        .map((x) => obj(x.json).startedAt)
        .filter((x): x is string => typeof x === 'string')
        .join(', '),
      machine: runs.map(describeRun).join('; '),
    },
    node: {
      joinCpuUs: need(nodeUs('join') ?? null, `Node CPU per join ${fd}`),
      verifyCpuUs: need(nodeUs('verification'), `Node CPU per verification ${fd}`),
      snapshotCpuUs: need(nodeUs('snapshot, Node direct'), `Node CPU per snapshot ${fd}`),
      refusalCpuUs: need(nodeUs('poll refused'), `Node CPU per refusal ${fd}`),
      bookingRequestCpuMs: need(
        num(obj(obj(r.peak).cpuMsPerBooking).service),
        'service CPU per booking (peak phase: --phases peak)',
      ),
    },
    edge: {
      snapshotCpuUs: need(nginxUs('snapshot through nginx'), `nginx CPU per cached snapshot ${fd}`),
      joinCpuUs: need(num(overload.cpuUsPerAnswer?.nginx), `nginx CPU per join answer in the overload ${fd}`),
    },
    redis: {
      joinsPerShardSecond: need(
        num(obj(redis.joinEvalsha).rps),
        'join.lua EVALSHA per second (machine phase: redis-benchmark)',
      ),
      commandsPerShardSecond: need(num(obj(redis.incr).rps), 'INCR per second (machine phase: redis-benchmark)'),
      bytesPerPerson: need(
        num(obj(r.waitingRoomBench).bytesPerPerson),
        'bytes per waiting person (machine phase: waiting-room bench)',
      ),
    },
    postgres: {
      bookingTps: need(bestTps, 'booking-shaped pgbench tps (machine phase: pgbench)'),
      cores: need(num(machine.cores), 'machine cores'),
    },
  };
  return missing.length > 0 ? err('incomplete-bench-results', { file, missing }) : ok(measured);
}
