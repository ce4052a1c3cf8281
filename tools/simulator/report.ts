/**
 * Writes a run's results under its output folder: summary.json (the numbers), timeseries.json (per
 * virtual second) and report.html (self-contained charts, see report-html.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QueueStats } from '../../src/waiting-room/waiting-room.store.ts';
import type { Crowd } from './crowd.ts';
import type { FullResult } from './full-run.ts';
import type { Invariant } from './invariants.ts';
import type { CrowdCounts } from './population.ts';
import type { Scenario } from './scenario.ts';
import type { EtaPromise } from './sim.ts';
import type { Supply } from './supply.ts';
import { renderReportHtml, type ChartData } from './report-html.ts';
import type { Recorder } from './recorder.ts';
import { round } from './stats.ts';
import {
  etaStats,
  fairness,
  latencyStats,
  outcomes,
  rotationShares,
  seqPosition,
  slotStats,
  queueDrain,
  throughput,
  waitStats,
} from './summary.ts';

export const FULL_MODE_REAL = [
  'waiting-room service (joinQueue, pollStatus, tick with the AIMD admission controller, refreshSnapshot, checkpoint, verifyAdmission, completeAdmission / releasePlace) over the Redis store and its Lua scripts on a real Redis',
  'booking, availability (eligibility, slot search) and campaign services over a fresh Postgres schema migrated by the production migrator',
  'transactional outbox and the outbox sender (deliveries marked in Postgres)',
  'person registry rows (synthetic RRNs hashed with the production HMAC, then dropped)',
  'the admission rate: the real controller fed by the wall-clock latency of every booking-path call',
];
export const FULL_MODE_SIMULATED = [
  "people: arrivals, reloads, other devices, patience, coming back, think times (the scenario's distributions, seeded)",
  'the clock: virtual, lock-stepped to wall time while there is work; idle stretches skipped',
  "polls of people far from the front (those the service answers from its snapshot): computed with the service's own functions and counted, not called; 1 in pollSampleEvery people and everyone near the front poll for real",
  'identity verification (identity hashes computed as the identity service does; providers not called)',
  'HTTP (no routes, cookies or rate limits: see --mode live)',
  'the SMS gateway (a channel that counts deliveries per booking)',
  "join and poll latencies here include this one process's event-loop queue during the storm (in production the front door is many processes): read them as the simulator's, not the service's; npm run bench measures the service",
];

export interface RunMeta {
  command: string;
  startedAt: string;
  outDir: string;
  scale: number;
}

/** What either mode hands the report. */
export interface RunView {
  mode: 'full' | 'live';
  scenario: Scenario;
  crowd: Crowd;
  rec: Recorder;
  etaPromises: ReadonlyMap<number, EtaPromise>;
  /** First ETAs set aside because their place was lost (full mode; sim.ts `etaPlacesLost`). */
  etaPlacesLost?: number;
  opensAtMs: number;
  campaignId: string;
  counts: CrowdCounts;
  supply: Supply;
  seatsLeft: number;
  invariants: Invariant[];
  wallMs: { setup: number; run: number; finish: number };
  stoppedBy: string;
  service: Record<string, number | string | readonly number[]>;
  runId: string;
  cleanedUp: Record<string, number> | null;
  plannedJoins: number;
  polls: Record<string, number>;
  /** Queue position 0..1 of an admitted person (fairness); null when unknown. */
  positionOf(i: number): number | null;
  real: readonly string[];
  simulated: readonly string[];
  /** Mode-specific facts (live: servers, speed-up). */
  extra?: Record<string, unknown>;
}

export function fullView(r: FullResult): RunView {
  const { sim } = r;
  const status = sim.wr.roomStatus(sim.campaignId);
  const parts: QueueStats[] = status.ok ? (status.value.snapshot?.partitions ?? []).map((p) => p.stats) : [];
  return {
    mode: 'full',
    scenario: sim.scenario,
    crowd: sim.crowd,
    rec: sim.rec,
    etaPromises: sim.etaPromises,
    etaPlacesLost: sim.counts.etaPlacesLost,
    opensAtMs: sim.opensAtMs,
    campaignId: sim.campaignId,
    counts: r.counts,
    supply: r.supply,
    seatsLeft: sim.seatsLeft,
    invariants: r.invariants,
    wallMs: r.wallMs,
    stoppedBy: r.stoppedBy,
    service: r.service,
    runId: r.runId,
    cleanedUp: r.cleanedUp,
    plannedJoins: r.plannedJoins,
    polls: {
      real: sim.rec.total('pollsReal'),
      answeredFromSnapshot: sim.rec.total('pollsSimulated'),
      realBecauseSampled: sim.counts.realPollsSampled,
      realBecauseNearFront: sim.counts.realPollsNearFront,
      sampleEvery: sim.scenario.simulation.pollSampleEvery,
    },
    positionOf: (i) => seqPosition(sim.crowd, i, parts),
    real: FULL_MODE_REAL,
    simulated: FULL_MODE_SIMULATED,
    extra: { ...r.settings, steps: sim.counts.steps, wheelEventsBeyondHorizon: sim.wheel.droppedBeyondHorizon },
  };
}

function arrivalsSummary(v: RunView) {
  const rec = v.rec;
  const total =
    rec.total('arrivalsFirst') +
    rec.total('arrivalsReload') +
    rec.total('arrivalsOtherDevice') +
    rec.total('arrivalsComeback');
  const openSecond = Math.floor((v.opensAtMs - rec.startMs) / 1000);
  let beforeOpening = 0,
    firstTenMinutes = 0;
  for (let s = 0; s <= rec.lastSecond; s += 1) {
    const n =
      rec.counters.arrivalsFirst[s]! +
      rec.counters.arrivalsReload[s]! +
      rec.counters.arrivalsOtherDevice[s]! +
      rec.counters.arrivalsComeback[s]!;
    if (s < openSecond) beforeOpening += n;
    else if (s < openSecond + 600) firstTenMinutes += n;
  }
  // The record's total, scaled like the cohort (a 1/1000 run expects 1/1000 of the arrivals).
  const recorded = v.scenario.arrivals.recordedTotal * (v.counts.eligible / v.scenario.cohort.eligible);
  return {
    total,
    firstJoins: rec.total('arrivalsFirst'),
    reloads: rec.total('arrivalsReload'),
    otherDevices: rec.total('arrivalsOtherDevice'),
    comebacks: rec.total('arrivalsComeback'),
    refusedOtherDevice: rec.total('refusedOtherDevice'),
    placesExpired: rec.total('placeExpired'),
    plannedJoins: v.plannedJoins,
    beforeOpening,
    firstTenMinutesAfterOpening: firstTenMinutes,
    recordedTotalAtThisScale: Math.round(recorded),
    ratioToRecorded: round(total / Math.max(1, recorded), 2),
  };
}

/** Booking attempts refused slot-full (whatever the person did next), per booking made: issue 13's ≤ 0.1. */
function slotFullPerBooking(v: RunView): number | null {
  let refusals = 0;
  for (const [reason, n] of v.rec.failures) if (reason.startsWith('book-slot-full')) refusals += n;
  const booked = slotStats(v.crowd, v.counts.eligible).peopleWhoGotASlot;
  return booked ? round(refusals / booked, 3) : null;
}

export function buildSummary(v: RunView, meta: RunMeta, wallTotalMs: number) {
  const failures = Object.fromEntries([...v.rec.failures.entries()].sort((a, b) => b[1] - a[1]));
  return {
    scenario: {
      id: v.scenario.id,
      title: v.scenario.title,
      campaignId: v.campaignId,
      opensAt: new Date(v.opensAtMs).toISOString(),
    },
    mode: v.mode,
    scale: meta.scale,
    command: meta.command,
    startedAt: meta.startedAt,
    outDir: meta.outDir,
    runId: v.runId,
    stoppedBy: v.stoppedBy,
    wallSeconds: {
      setup: round(v.wallMs.setup / 1000, 1),
      run: round(v.wallMs.run / 1000, 1),
      finish: round(v.wallMs.finish / 1000, 1),
      total: round(wallTotalMs / 1000, 1),
    },
    whatWasReal: v.real,
    whatWasSimulated: v.simulated,
    ...(v.extra ? { [v.mode]: v.extra } : {}),
    population: v.counts,
    service: v.service,
    supply: {
      facilities: v.supply.facilities,
      firstDate: v.supply.dates[0],
      lastDate: v.supply.dates.at(-1),
      seatsTonight: v.supply.seatsTonight,
      seatsLeftBySimulator: v.seatsLeft,
    },
    arrivals: arrivalsSummary(v),
    polls: v.polls,
    outcome: {
      ...slotStats(v.crowd, v.counts.eligible),
      slotFullRefusalsPerBooking: slotFullPerBooking(v),
      byKind: outcomes(v.crowd),
      failures,
    },
    wait: waitStats(v.crowd, v.opensAtMs),
    eta: { ...etaStats(v.etaPromises, v.crowd, v.opensAtMs), setAsideForPlacesLost: v.etaPlacesLost ?? null },
    fairness: fairness(v.crowd, v.positionOf, v.opensAtMs),
    rotationGroups: rotationShares(v.crowd, v.counts.eligible),
    throughput: throughput(v.rec),
    queue: queueDrain(v.rec, v.opensAtMs),
    latency: latencyStats(v.rec),
    virtualClock: {
      simulatedMinutes: round((v.rec.lastSecond + 1) / 60, 1),
      wallMinutesRunning: round(v.wallMs.run / 60_000, 1),
    },
    invariants: { allOk: v.invariants.every((i) => i.ok), checks: v.invariants },
    cleanedUp: v.cleanedUp,
  };
}

export type Summary = ReturnType<typeof buildSummary>;

/** Per-second series for the charts; x is minutes relative to the opening. */
export function chartData(
  rec: Recorder,
  opensAtMs: number,
  eta: ReadonlyMap<number, EtaPromise>,
  admittedAtMs: Float64Array,
): ChartData {
  const n = rec.lastSecond + 1;
  const x = Array.from({ length: n }, (_, s) => round((rec.startMs + s * 1000 - opensAtMs) / 60_000, 4)!);
  const c = rec.counters,
    g = rec.gauges;
  const list = (xs: Float64Array) => Array.from(xs.subarray(0, n), (v) => (Number.isNaN(v) ? null : v));
  const etaPoints = [...eta.entries()]
    .filter(([i]) => !Number.isNaN(admittedAtMs[i]!))
    .map(([i, p]) => ({
      at: (p.atMs - opensAtMs) / 60_000,
      predicted: p.expectedMs / 60_000,
      actual: (admittedAtMs[i]! - p.atMs) / 60_000,
    }))
    .sort((a, b) => a.at - b.at);
  const booking = rec.latencySeries('bookingPath');
  return {
    x,
    arrivals: {
      first: list(c.arrivalsFirst),
      reload: list(c.arrivalsReload),
      otherDevice: list(c.arrivalsOtherDevice),
      comeback: list(c.arrivalsComeback),
    },
    queue: { waiting: list(g.waiting), activeSessions: list(g.activeSessions), sessionLimit: list(g.sessionLimit) },
    admitted: { advanced: list(c.advanced), claims: list(c.claims), rate: list(g.ratePerSec) },
    bookings: { placed: list(c.bookings), refused: list(c.bookingFailures) },
    latency: {
      p50: booking.p50,
      p95: booking.p95,
      p99: booking.p99,
      placeP99: rec.latencySeries('placeBooking').p99,
      joinP99: rec.latencySeries('join').p99,
    },
    eta: {
      at: etaPoints.map((p) => round(p.at, 3)!),
      predicted: etaPoints.map((p) => round(p.predicted, 3)),
      actual: etaPoints.map((p) => round(p.actual, 3)),
      yMax: Math.max(1, 1.5 * etaPoints.reduce((m, p) => Math.max(m, p.actual), 0)),
    },
    slotsLeft: list(g.slotsLeft),
    wallMs: list(c.wallMs),
  };
}

export function writeReport(
  outDir: string,
  summary: Summary | Record<string, unknown>,
  charts: ChartData,
  title: string,
): string[] {
  mkdirSync(outDir, { recursive: true });
  const files = [join(outDir, 'summary.json'), join(outDir, 'timeseries.json'), join(outDir, 'report.html')];
  writeFileSync(files[0]!, `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(files[1]!, JSON.stringify(charts));
  writeFileSync(files[2]!, renderReportHtml(title, summary, charts));
  return files;
}
