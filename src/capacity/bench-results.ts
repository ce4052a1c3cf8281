/**
 * Reads the per-core and per-shard numbers the capacity plan needs out of the results file that
 * `npm run bench` writes (artifacts/bench/latest.json; tools/bench/report.ts's BenchReport). Pure:
 * the parsed JSON in, the numbers or every missing one out (each says which bench phase measures it).
 *
 * The repository ships one such file measured on the development machine
 * (data/bench/bench-2026-11-30-2core.json), so a fresh clone can plan before running the bench.
 */
import { err, ok, type Result } from '../platform/result.ts';
import type { MeasuredCapacity } from './capacity-plan.ts';

/** The committed example, relative to the repository root. */
export const EXAMPLE_BENCH_RESULTS = 'data/bench/bench-2026-11-30-2core.json';
/** Where `npm run bench` writes its latest results, relative to the repository root. */
export const LATEST_BENCH_RESULTS = 'artifacts/bench/latest.json';

interface Row {
  name?: unknown;
  cpuUsPerAnswer?: { node?: unknown; nginx?: unknown };
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};

/** The numbers, or 'incomplete-bench-results' with `missing`: what is absent and which phase measures it. */
export function measuredCapacityOf(json: unknown, file: string): Result<MeasuredCapacity, 'incomplete-bench-results'> {
  const r = obj(json);
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
  const machine = obj(r.machine);
  const fd = '(front door phase: --phases frontdoor)';
  const measured: MeasuredCapacity = {
    source: {
      file,
      measuredAt: typeof r.startedAt === 'string' ? r.startedAt : '?',
      machine: `${num(machine.cores) ?? '?'} cores, ${typeof machine.cpuModel === 'string' ? machine.cpuModel : '?'}, ${typeof machine.postgres === 'string' ? machine.postgres : 'PostgreSQL ?'}, Redis ${typeof machine.redis === 'string' ? machine.redis : '?'}, load average ${Array.isArray(machine.loadAverage) ? (machine.loadAverage as number[]).map((x) => x.toFixed(1)).join(' ') : '?'}`,
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
