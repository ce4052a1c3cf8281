/**
 * Renders one run's results as the text `npm run bench` prints: each number next to its baseline
 * and the ratio, then the issue's targets with PASS/MISS. Pure: from data to lines.
 */
import type { FrontDoorResult } from './front-door-report.ts';
import type { OverloadResult } from './overload.ts';
import type { PgbenchRun, RedisBaseline } from './machine.ts';
import type { PeakResult } from './peak.ts';
import type { WaitingRoomBenchResult } from './parse.ts';
import type { StatusTally } from './http-load.ts';
import { evaluateTargets, ratio, type TargetResult } from './targets.ts';

export interface BenchReport {
  startedAt: string;
  mode: 'full' | 'quick';
  machine: {
    cores: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    postgres: string;
    redis: string;
    loadAverage: number[];
  };
  settings: Record<string, number | string>;
  pgbench: PgbenchRun[] | null;
  redis: RedisBaseline | null;
  waitingRoomBench: WaitingRoomBenchResult | null;
  peak: PeakResult | null;
  overload: { withRoom: OverloadResult | null; direct: OverloadResult | null };
  /** The front-door phase (front-door.ts), printed after the rest. */
  frontDoor?: FrontDoorResult | null;
  errors: string[];
  targets?: TargetResult[];
}

const int = (n: number | null | undefined) =>
  n === null || n === undefined || !Number.isFinite(n) ? '—' : Math.round(n).toLocaleString('en-US');
const ms = (n: number | null | undefined) =>
  n === null || n === undefined ? '—' : n < 10 ? `${n.toFixed(2)} ms` : `${Math.round(n).toLocaleString('en-US')} ms`;
const x = (r: number | null) => (r === null ? '—' : `${r.toFixed(2)}×`);
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export function bestPgbench(runs: readonly PgbenchRun[] | null): PgbenchRun | null {
  return runs && runs.length > 0 ? runs.reduce((a, b) => (b.result.tps > a.result.tps ? b : a)) : null;
}

export function targetsOf(r: BenchReport): TargetResult[] {
  const w = r.overload.withRoom;
  return evaluateTargets({
    pgbenchTps: bestPgbench(r.pgbench)?.result.tps ?? null,
    redisJoinEvalshaPerSec: r.redis?.joinEvalsha.rps ?? null,
    redisGetPerSec: r.redis?.get.rps ?? null,
    bookingsPerSec: r.peak?.booking.perSec ?? null,
    assumedPeakPerSec:
      typeof r.settings.overloadAgainstPeakPerSec === 'number' ? r.settings.overloadAgainstPeakPerSec : null,
    joinPerSec: r.waitingRoomBench?.joinPerSec ?? null,
    pollPerSec: r.waitingRoomBench?.pollPerSec ?? null,
    serviceCpuMsPerBooking: r.peak?.cpuMsPerBooking.service ?? null,
    postgresCpuMsPerBooking: r.peak?.cpuMsPerBooking.postgres ?? null,
    pgbenchPostgresCpuMsPerTx: bestPgbench(r.pgbench)?.postgresCpuMsPerTx ?? null,
    overloadWithRoom: w
      ? { goodputPerSec: w.goodputPerSec, p99AdmittedMs: w.bookingLatency.p99Ms, status5xx: w.status5xx }
      : null,
  });
}

function statuses(t: StatusTally): string {
  const c4 = Object.entries(t.c4xx)
    .map(([k, v]) => `${k}×${int(v)}`)
    .join(' ');
  return `2xx ${int(t.ok2xx)}, 4xx ${c4 || '0'}, 5xx ${int(t.c5xx)}, timeout/conn ${int(t.failed)}`;
}

function overloadLines(name: string, o: OverloadResult | null, peak: number | null): string[] {
  if (!o) return [`  ${name}: not measured`];
  return [
    `  ${name}: offered ${int(o.offeredPerSec)} arrivals/s for ${o.durationSec} s (${int(o.arrivals)} people), goodput counted after ${o.warmupSec} s`,
    `    goodput            ${pad(`${int(o.goodputPerSec)} bookings/s`, 22)} ${x(ratio(o.goodputPerSec, peak))} of peak`,
    `    booking latency    p50 ${ms(o.bookingLatency.p50Ms)}, p99 ${ms(o.bookingLatency.p99Ms)}, max ${ms(o.bookingLatency.maxMs)} (${int(o.bookingLatency.count)} answers)`,
    `    booking answers    ${statuses(o.bookingStatuses)}`,
    ...(o.mode === 'waiting-room'
      ? [
          `    queue answers      ${statuses(o.queueStatuses)} (${int(o.joins)} joins, ${int(o.polls)} polls)`,
          `    arrival→admitted   p50 ${ms(o.admissionWait?.p50Ms)}, p99 ${ms(o.admissionWait?.p99Ms)} (${int(o.admissionWait?.count)} admitted)`,
        ]
      : []),
    `    5xx ${int(o.status5xx)}, errors (5xx + timeouts) ${int(o.errors)}${
      Object.keys(o.failures).length
        ? ` (${Object.entries(o.failures)
            .map(([k, v]) => `${k}×${int(v)}`)
            .join(', ')})`
        : ''
    }`,
    `    confirmed per second: ${o.confirmedPerSecond.map(int).join(' ')}; load generator's worst start lag ${ms(o.generatorMaxLagMs)}`,
    ...(o.coresUsed
      ? [
          `    cores kept busy: ${o.coresUsed.frontDoor === null ? '' : `front door ${o.coresUsed.frontDoor.toFixed(2)}, `}booking processes ${o.coresUsed.booking.toFixed(2)}, load generator ${o.coresUsed.loadGenerator.toFixed(2)}` +
            (o.frontDoorCpuMsPerAnswer != null
              ? `; front door ${ms(o.frontDoorCpuMsPerAnswer)} CPU per join/poll answered`
              : ''),
        ]
      : []),
  ];
}

export function renderReport(r: BenchReport): string {
  const best = bestPgbench(r.pgbench);
  const peak =
    r.peak?.booking.perSec ??
    (typeof r.settings.overloadAgainstPeakPerSec === 'number' ? r.settings.overloadAgainstPeakPerSec : null);
  const m = r.machine;
  const L: string[] = [];
  L.push(`yeyak bench (${r.mode}) — ${r.startedAt}`);
  L.push(
    `machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB; node ${m.node}; ${m.postgres}; redis ${m.redis}; load average at start ${m.loadAverage.map((v) => v.toFixed(2)).join(' ')}`,
  );
  L.push(
    `NOTE: the ${m.cores} cores are shared by the load generator, PostgreSQL, Redis and the service (and other work on this machine): absolute numbers are noisy, ratios matter.`,
  );
  L.push(
    `settings: ${Object.entries(r.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
  );
  L.push('');
  L.push('1. Machine limits (baselines)');
  for (const p of r.pgbench ?? [])
    L.push(
      `  pgbench booking tx (3 statements, fsync on, 100,000 slots, ${p.result.queryMode} protocol), ${pad(`${p.clients} clients:`, 12)} ${int(p.result.tps)} tps, avg ${ms(p.result.latencyAvgMs)}, failed ${p.result.failed}; Postgres CPU ${ms(p.postgresCpuMsPerTx)} per tx`,
    );
  if (!r.pgbench) L.push('  pgbench: not measured');
  if (r.redis) {
    const c = `-c ${r.redis.clients}, -n ${int(r.redis.requests)}, no pipelining`;
    L.push(
      `  redis-benchmark EVALSHA join.lua (the queue's real join script): ${int(r.redis.joinEvalsha.rps)}/s, p99 ${ms(r.redis.joinEvalsha.p99Ms)} (${c})`,
    );
    L.push(`  redis-benchmark GET ${int(r.redis.get.rps)}/s, INCR ${int(r.redis.incr.rps)}/s (reference)`);
  } else L.push('  redis-benchmark: not measured');
  L.push('');
  L.push('2. The service');
  const w = r.waitingRoomBench;
  if (w) {
    L.push(`  waiting room on one Redis (tools/bench/waiting-room.bench.ts, ${int(w.people)} people, one process):`);
    L.push(
      `    join  ${pad(`${int(w.joinPerSec)}/s`, 12)} ${x(ratio(w.joinPerSec, r.redis?.joinEvalsha.rps))} redis-benchmark EVALSHA join`,
    );
    L.push(
      `    poll  ${pad(`${int(w.pollPerSec)}/s`, 12)} ${x(ratio(w.pollPerSec, r.redis?.get.rps))} redis-benchmark GET (polls are answered from memory, no Redis call)`,
    );
    L.push(`    memory ${w.bytesPerPerson} bytes of Redis per waiting person`);
  } else L.push('  waiting room bench: not measured');
  const p = r.peak;
  if (p) {
    L.push(
      `  over HTTP (${r.settings.workers} service processes, ${int(p.booking.count)} people): verify ${int(p.verify.perSec)}/s, join ${int(p.join.perSec)}/s, poll ${int(p.polls.perSec)}/s (set-up, not targets)`,
    );
    L.push(
      `  bookings end to end: ${int(p.booking.perSec)} confirmed/s with ${p.booking.concurrency} in flight; p50 ${ms(p.booking.latency.p50Ms)}, p99 ${ms(p.booking.latency.p99Ms)}; ${statuses(p.booking.statuses)}`,
    );
    L.push(
      `    ${x(ratio(p.booking.perSec, best?.result.tps))} pgbench best (${int(best?.result.tps)} tps at ${best?.clients ?? '—'} clients)`,
    );
    const c = p.cpuMsPerBooking;
    L.push(
      `    CPU per booking: service ${ms(c.service)}, its PostgreSQL backends ${ms(c.postgres)}, load generator ${ms(c.loadGenerator)}` +
        ` → at most ~${int((m.cores * 1000) / (c.service + c.postgres + c.loadGenerator))} bookings/s if all ${m.cores} cores did nothing else`,
    );
    const d = p.postgresPerBooking;
    if (d)
      L.push(
        `    Postgres per booking: ${d.transactions.toFixed(2)} transactions (each autocommit statement is one), rows inserted ${d.rowsInserted.toFixed(2)}, updated ${d.rowsUpdated.toFixed(2)}, fetched ${d.rowsFetched.toFixed(1)} (pgbench: 1 transaction, 2 inserted, 1 updated)`,
      );
    if (d?.tables) {
      const f = (v: number) => (v >= 10 ? v.toFixed(0) : v.toFixed(2).replace(/\.?0+$/, ''));
      const rows = Object.entries(d.tables)
        .map(([name, t]) => ({ name, t, weight: t.seqRead + t.idxFetched + t.inserted + t.updated }))
        .filter((x) => x.weight >= 0.01)
        .sort((a, b) => b.weight - a.weight)
        .slice(0, 6)
        .map(
          ({ name, t }) =>
            `${name} ${f(t.seqRead)}/${f(t.idxFetched)}/${f(t.inserted)}/${f(t.updated)}(${f(t.hotUpdated)} HOT)`,
        );
      L.push(`      by table, per booking (scanned/index-fetched/inserted/updated): ${rows.join(', ')}`);
    }
    if (best)
      L.push(
        `    (pgbench: at most ${ms((m.cores * 1000) / best.result.tps)} of machine CPU per transaction, its client included;` +
          ` its PostgreSQL backends ${ms(best.postgresCpuMsPerTx)} per transaction → a booking costs Postgres` +
          ` ${x(ratio(c.postgres, best.postgresCpuMsPerTx))} of a pgbench transaction)`,
      );
  } else L.push('  bookings over HTTP: not measured');
  L.push('');
  L.push(`3. Overload at 10× the ${r.peak ? 'measured' : 'assumed (--assume-peak)'} peak (${int(peak)} bookings/s)`);
  L.push(
    '  (with the waiting room, /queue goes to 2 front-door processes of its own — on one machine, the stand-in for separate',
  );
  L.push(
    '   front-door servers — and bookings to the booking processes; admission starts and is capped at the peak, AIMD adapts;',
  );
  L.push(
    '   people poll when the server says (nextPollMs, 1-10 s). Without it, every arrival books at once and gives up after the timeout.)',
  );
  L.push(...overloadLines('with the waiting room', r.overload.withRoom, peak));
  L.push(...overloadLines('without it (ADMISSION_GATE=off, as in 2021)', r.overload.direct, peak));
  L.push('');
  L.push('4. Targets');
  for (const t of r.targets ?? targetsOf(r)) {
    const v =
      t.value === null ? '—' : Math.abs(t.value) < 20 && !Number.isInteger(t.value) ? t.value.toFixed(2) : int(t.value);
    L.push(
      `  ${pad(t.verdict, 5)} ${pad(t.label, 66)} ${pad(v, 8)} (target ${t.comparator} ${t.threshold.toLocaleString('en-US')})`,
    );
  }
  if (r.errors.length > 0) {
    L.push('');
    L.push('Errors (phases that failed):');
    for (const e of r.errors) L.push(`  ${e}`);
  }
  return L.join('\n');
}
