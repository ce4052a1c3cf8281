/**
 * The dashboard history shared by every process (dashboard_samples, 0005_operations.sql). Each
 * process writes its own samples; a read merges the processes per sampling interval: the queue
 * numbers are the shared counters (the same from every process, so the largest is taken), the
 * booking rate is each process's share (summed), latency is the worst process's (largest).
 */
import { sql } from 'kysely';
import type { Db } from '../platform/db.ts';
import type { DashboardHistory, DashboardSample } from './dashboard-history.ts';

export function createSharedDashboardHistory(
  db: Db,
  o: { processId: string; keepMs: number; sampleMs: number },
): DashboardHistory {
  return {
    async record(campaignId, s) {
      await db
        .insertInto('dashboard_samples')
        .values({
          campaign_id: campaignId,
          at_ms: s.atMs,
          process_id: o.processId,
          waiting: s.waiting,
          admitted_per_sec: s.admittedPerSec,
          bookings_per_sec: s.bookingsPerSec,
          p50_ms: s.p50Ms,
          p99_ms: s.p99Ms,
          eta_p50_sec: s.etaP50Sec,
          eta_p90_sec: s.etaP90Sec,
        })
        .onConflict((oc) => oc.columns(['campaign_id', 'at_ms', 'process_id']).doNothing())
        .execute();
    },
    async samples(campaignId, nowMs): Promise<DashboardSample[]> {
      // A literal (an integer from the validated config), so the GROUP BY expression is the SELECT's.
      const width = sql.lit(Math.trunc(o.sampleMs));
      const bucket = sql<number>`(floor(at_ms / ${width}) * ${width})::bigint`;
      const rows = await db
        .selectFrom('dashboard_samples')
        .select([
          bucket.as('at_ms'),
          sql<number | null>`max(waiting)`.as('waiting'),
          sql<number | null>`max(admitted_per_sec)`.as('admitted'),
          sql<number>`sum(bookings_per_sec)`.as('bookings'),
          sql<number | null>`max(p50_ms)`.as('p50'),
          sql<number | null>`max(p99_ms)`.as('p99'),
          sql<number | null>`max(eta_p50_sec)`.as('eta50'),
          sql<number | null>`max(eta_p90_sec)`.as('eta90'),
        ])
        .where('campaign_id', '=', campaignId)
        .where('at_ms', '>', nowMs - o.keepMs)
        .where('at_ms', '<=', nowMs)
        .groupBy(bucket)
        .orderBy(bucket)
        .execute();
      return rows.map((r) => ({
        atMs: Number(r.at_ms),
        waiting: r.waiting,
        admittedPerSec: r.admitted,
        bookingsPerSec: Number(r.bookings),
        p50Ms: r.p50,
        p99Ms: r.p99,
        etaP50Sec: r.eta50,
        etaP90Sec: r.eta90,
      }));
    },
    async prune(nowMs) {
      await db
        .deleteFrom('dashboard_samples')
        .where('at_ms', '<=', nowMs - o.keepMs)
        .execute();
    },
  };
}
