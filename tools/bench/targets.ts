/**
 * The targets as data, and their evaluation against what one run measured. Pure: a value
 * that was not measured (a phase failed or was skipped) gives 'n/a', never a PASS.
 *
 *   bookings/s ≥ 0.5 × the pgbench baseline, and ≥ 2,000/s
 *   queue ops (join, poll) ≥ 0.5 × redis-benchmark (EVALSHA of the real join script; GET)
 *   under 10× overload with the waiting room: goodput ≥ 95 % of peak, p99 of admitted bookings
 *   ≤ 300 ms, no 5xx
 *   service CPU per booking ≤ 0.4 ms; its Postgres backends' CPU per booking ≤ 1.2 × pgbench's
 *   backends' CPU per transaction (issue 13)
 */

export type Verdict = 'PASS' | 'MISS' | 'n/a';

export interface TargetResult {
  readonly id: string;
  readonly label: string;
  /** The measured value (or the ratio, for ratio targets). */
  readonly value: number | null;
  readonly comparator: '>=' | '<=';
  readonly threshold: number;
  readonly verdict: Verdict;
}

/** value / baseline, or null when either is missing or the baseline is not positive. */
export function ratio(value: number | null | undefined, baseline: number | null | undefined): number | null {
  if (value === null || value === undefined || baseline === null || baseline === undefined) return null;
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline <= 0) return null;
  return value / baseline;
}

export function judge(value: number | null, comparator: '>=' | '<=', threshold: number): Verdict {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  return (comparator === '>=' ? value >= threshold : value <= threshold) ? 'PASS' : 'MISS';
}

export interface Measured {
  /** Best pgbench tps over the client counts tried. */
  readonly pgbenchTps: number | null;
  readonly redisJoinEvalshaPerSec: number | null;
  readonly redisGetPerSec: number | null;
  readonly bookingsPerSec: number | null;
  readonly joinPerSec: number | null;
  readonly pollPerSec: number | null;
  readonly overloadWithRoom: { goodputPerSec: number; p99AdmittedMs: number | null; status5xx: number } | null;
  /** The peak the overload was sized from, when it was not measured in this run (--assume-peak). */
  readonly assumedPeakPerSec?: number | null;
  /** CPU ms per booking of the service's processes and of their Postgres backends (peak phase). */
  readonly serviceCpuMsPerBooking?: number | null;
  readonly postgresCpuMsPerBooking?: number | null;
  /** CPU ms per transaction of pgbench's Postgres backends (the best run's). */
  readonly pgbenchPostgresCpuMsPerTx?: number | null;
}

export function evaluateTargets(m: Measured): TargetResult[] {
  const t = (
    id: string,
    label: string,
    value: number | null,
    comparator: '>=' | '<=',
    threshold: number,
  ): TargetResult => ({ id, label, value, comparator, threshold, verdict: judge(value, comparator, threshold) });
  const o = m.overloadWithRoom;
  return [
    t('bookings-vs-pgbench', 'bookings/s ÷ pgbench tps', ratio(m.bookingsPerSec, m.pgbenchTps), '>=', 0.5),
    t('bookings-absolute', 'bookings/s', m.bookingsPerSec, '>=', 2_000),
    t(
      'join-vs-redis',
      'queue join/s ÷ redis-benchmark EVALSHA join/s',
      ratio(m.joinPerSec, m.redisJoinEvalshaPerSec),
      '>=',
      0.5,
    ),
    t('poll-vs-redis', 'queue poll/s ÷ redis-benchmark GET/s', ratio(m.pollPerSec, m.redisGetPerSec), '>=', 0.5),
    t(
      'overload-goodput',
      '10× overload with waiting room: goodput ÷ peak bookings/s',
      o ? ratio(o.goodputPerSec, m.bookingsPerSec ?? m.assumedPeakPerSec) : null,
      '>=',
      0.95,
    ),
    t(
      'overload-p99',
      '10× overload with waiting room: p99 of admitted bookings (ms)',
      o ? o.p99AdmittedMs : null,
      '<=',
      300,
    ),
    t('overload-5xx', '10× overload with waiting room: 5xx responses', o ? o.status5xx : null, '<=', 0),
    t('service-cpu-per-booking', 'service CPU ms per booking', m.serviceCpuMsPerBooking ?? null, '<=', 0.4),
    t(
      'postgres-cpu-vs-pgbench',
      "Postgres CPU per booking ÷ pgbench's per transaction",
      ratio(m.postgresCpuMsPerBooking, m.pgbenchPostgresCpuMsPerTx),
      '<=',
      1.2,
    ),
  ];
}
