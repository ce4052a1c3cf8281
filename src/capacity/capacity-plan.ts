/**
 * The capacity plan before an opening: from the cohort, an arrival curve (the simulator's scenario
 * format), the waiting room's limits and the per-core and per-shard numbers `npm run bench` measured,
 * what the night takes — front-door processes, edge cores, Redis shards and memory, Postgres — and
 * how the queue will behave: its peak, when it drains, and the admission rate to plan for (the
 * number an operator enters as the campaign's planned admission rate, the waiting room's first ETA
 * estimate before it has measured one).
 *
 * Pure: numbers in, numbers out; no clock, no I/O. `npm run plan` (tools/plan) and the console's
 * capacity page (src/operator/capacity.routes.ts) call the same `planCapacity`.
 *
 * The queue model is a fluid one, stepped once a second, that follows the waiting room's own rules:
 * - places are handed out once per person (reloads and a come-back before being reached keep the
 *   place; other devices are refused); people who arrive before the opening wait in the pre-room
 *   and take the first places at the opening, in random order;
 * - the cursor moves at the planned rate but, as the admission controller does, never lets claimed
 *   sessions plus claims still expected (people reached in the last `claimWindowSec` who have not
 *   claimed yet) exceed the active-session cap;
 * - people give up after their patience (log-normal, counted from max(arrival, opening)); a share
 *   comes back after a uniform delay. Someone reached while away is skipped (no session); someone
 *   coming back more than the grace period after being reached joins again at the back;
 * - a session lasts the think times of its steps (eligibility, search, book; children booking for
 *   a parent skip eligibility; outsiders stop after it).
 * Queue length is what the waiting room's snapshot calls `waiting`: places handed out and not yet
 * reached (tail − cursor), plus the pre-room before the opening.
 */

export interface CurveSegment {
  readonly fromMinutes: number;
  readonly toMinutes: number;
  readonly weight: number;
  readonly halfLifeMinutes?: number;
}

export interface LogNormalSpec {
  readonly median: number;
  readonly p90: number;
}

/** Who comes and how they behave: the fields of a simulator scenario the plan needs. */
export interface PlanDemand {
  /** People eligible tonight (the cohort). */
  readonly eligible: number;
  /** Share of the eligible who try tonight (themselves or through a child). */
  readonly showUpShare: number;
  /** Share of show-ups booked by a child, and of those parents who also try themselves. */
  readonly proxyShare: number;
  readonly proxyParentAlsoTriesShare: number;
  /** People who try although they may not book tonight, as a share of the eligible. */
  readonly outsiderShare: number;
  readonly arrivalCurve: readonly CurveSegment[];
  /** Same-device re-joins per person (mean) and the mean gap between them. */
  readonly reloadsMean: number;
  readonly reloadGapSeconds: number;
  /** Share of people who also try from 1..max other devices. */
  readonly extraDevicesShare: number;
  readonly extraDevicesMax: number;
  readonly patienceMinutes: LogNormalSpec;
  readonly comeBackShare: number;
  readonly comeBackAfterMinutes: { readonly min: number; readonly max: number };
  readonly thinkSeconds: {
    readonly eligibility: LogNormalSpec;
    readonly search: LogNormalSpec;
    readonly book: LogNormalSpec;
  };
}

/** The waiting room's settings for the campaign. */
export interface PlanService {
  readonly admissionMaxRatePerSec: number;
  readonly activeSessionCap: number;
  readonly partitions: number;
  /** A person reached while away keeps the place this long (WAITING_ROOM grace, 5 min). */
  readonly graceSeconds: number;
  /** The controller counts people reached this recently who have not claimed as sessions to come. */
  readonly claimWindowSeconds: number;
  /** An admission that does not end in a booking stays an active session until it expires (10 min). */
  readonly admissionTtlSeconds: number;
}

/** Per-core and per-shard numbers, as `npm run bench` measured them (see bench-results.ts). */
export interface MeasuredCapacity {
  /** Where the numbers come from: the results file, when and on what machine. */
  readonly source: { readonly file: string; readonly measuredAt: string; readonly machine: string };
  readonly node: {
    /** Node CPU µs per answer over a real socket. */
    readonly joinCpuUs: number;
    readonly verifyCpuUs: number;
    readonly snapshotCpuUs: number;
    readonly refusalCpuUs: number;
    /** Service CPU ms per booking-path request (measured per booking: the POST that books). */
    readonly bookingRequestCpuMs: number;
  };
  readonly edge: {
    /** nginx CPU µs per cached snapshot answer and per join answer (passed on or refused). */
    readonly snapshotCpuUs: number;
    readonly joinCpuUs: number;
  };
  readonly redis: {
    /** The queue's join script per Redis core-second (redis-benchmark EVALSHA of join.lua). */
    readonly joinsPerShardSecond: number;
    /** Small commands (INCR) per Redis core-second: the shared rate-limit counters. */
    readonly commandsPerShardSecond: number;
    /** Redis memory per person in the queue. */
    readonly bytesPerPerson: number;
  };
  readonly postgres: {
    /** Booking-shaped transactions per second (pgbench, best client count) on `cores` cores. */
    readonly bookingTps: number;
    readonly cores: number;
  };
}

/** What the plan aims for; the defaults are what docs/scaling.md assumes. */
export interface PlanTargets {
  /** Plan cores and shards to run at this share of what was measured (headroom for the unmeasured). */
  readonly utilisation: number;
  /** How often a waiting page asks the public snapshot (the service says 1-10 s; most wait at 10 s). */
  readonly snapshotPollSeconds: number;
  /** Status heartbeat of a waiting page (it keeps the place). */
  readonly heartbeatSeconds: number;
  /** Redis replicas per master (failover); memory counts them. */
  readonly redisReplicas: number;
  /** The queue counts as drained when it first falls to this share of its peak after the peak. */
  readonly drainedShareOfPeak: number;
  /** Postgres storage per booking with its second dose, outbox row and indexes (bytes; ASSUMED). */
  readonly postgresBytesPerBooking: number;
  /** Postgres storage per registered person (bytes; ASSUMED). */
  readonly postgresBytesPerPerson: number;
  /** Seconds after the last arrival the model keeps stepping at most. */
  readonly maxSecondsAfterLastArrival: number;
}

export const defaultPlanTargets: PlanTargets = Object.freeze({
  utilisation: 0.6,
  snapshotPollSeconds: 10,
  heartbeatSeconds: 300,
  redisReplicas: 1,
  drainedShareOfPeak: 0.01,
  postgresBytesPerBooking: 1_200,
  postgresBytesPerPerson: 250,
  maxSecondsAfterLastArrival: 24 * 3600,
});

export const defaultPlanService: Omit<PlanService, 'admissionMaxRatePerSec' | 'activeSessionCap' | 'partitions'> =
  Object.freeze({ graceSeconds: 300, claimWindowSeconds: 4, admissionTtlSeconds: 600 });

export interface PlanInput {
  readonly demand: PlanDemand;
  readonly service: PlanService;
  readonly measured: MeasuredCapacity;
  readonly targets?: Partial<PlanTargets>;
  /**
   * Admit at this rate instead of the planned one (what-if; the simulator check pins the planned
   * rate). Null: the plan chooses.
   */
  readonly admissionRatePerSec?: number | null;
}

/** One minute of the night, from the model. */
export interface PlanMinute {
  /** Minutes from the opening (start of the minute). */
  readonly minute: number;
  readonly firstJoinsPerSec: number;
  /** Every join request: first joins, reloads, other devices, come-backs. */
  readonly joinRequestsPerSec: number;
  /** Cursor movement (places reached) per second: the admission rate. */
  readonly admittedPerSec: number;
  readonly claimsPerSec: number;
  /** Queue length (places not reached) at the end of the minute. */
  readonly queue: number;
  readonly activeSessions: number;
  /**
   * The session turnover: places reached per second in the seconds the active-session cap held the
   * cursor (it had less room than the rate and people waiting), to 3 significant digits. Null: the cap
   * did not hold in this minute, or let nobody through.
   */
  readonly turnoverPerSec: number | null;
}

export interface CapacityPlan {
  readonly people: {
    readonly eligible: number;
    /** Everyone who joins: cohort members who come themselves, children for parents, outsiders. */
    readonly joining: number;
    readonly proxies: number;
    readonly outsiders: number;
    readonly joinRequests: number;
  };
  readonly admission: {
    /**
     * The rate the plan sizes for (admissions/s): what the session cap sustains once sessions that
     * never book have piled up to their expiry, or a lower bound (service maximum, Postgres).
     */
    readonly plannedRatePerSec: number;
    /**
     * The number to enter as the campaign's planned admission rate, which the waiting room's first
     * ETAs start from: the mean rate from the opening until the queue drains, the controller free to
     * climb to the service maximum (or Postgres's share) and the session cap holding it. Higher than
     * `plannedRatePerSec` where the cap decides: until the first admissions that never book expire
     * (the admission's time to live), the cap turns over at the booking sessions' pace.
     */
    readonly openingRatePerSec: number;
    /**
     * The session turnover the night's opening is modelled to see, minute by minute from the opening
     * until the queue drains (admissions per second in the seconds the session cap holds the cursor,
     * the controller free as for `openingRatePerSec`; a minute the cap did not hold takes the next
     * minute's). It falls over the first minutes as admissions that never book hold their session to
     * its expiry, and rises when the first of them expire. Entered with the planned rate, it lets ETAs
     * foresee that fall rather than assume the rate of the last minute lasts (snapshot.ts
     * `turnoverShape`). Empty: the cap never holds.
     */
    readonly turnoverCurvePerSec: readonly number[];
    /** What bounds it. */
    readonly limitedBy: 'service-maximum' | 'active-session-cap' | 'postgres';
    /** Mean booking session (s) and the share of reached people present to claim, as modelled. */
    readonly sessionSeconds: number;
    readonly presentShare: number;
    /** Rate over time: the planned rate from the opening until the queue drains, then the arrivals. */
    readonly schedule: readonly { readonly fromMinutes: number; readonly ratePerSec: number; readonly note: string }[];
  };
  readonly queue: {
    readonly peak: number;
    /** Minutes after the opening of the peak. */
    readonly peakAtMinutes: number;
    /** Minutes after the opening when the queue first falls to drainedShareOfPeak of its peak; null: not within the horizon. */
    readonly drainedAtMinutes: number | null;
    readonly preRoomAtOpening: number;
    readonly peakActiveSessions: number;
  };
  readonly peak: {
    readonly joinRequestsPerSec: number;
    readonly verificationsPerSec: number;
    readonly snapshotPollsPerSec: number;
    readonly heartbeatsPerSec: number;
    readonly claimsPerSec: number;
    readonly bookingRequestsPerSec: number;
    readonly bookingsPerSec: number;
  };
  readonly frontDoor: {
    /** Node processes (one per core) for joins, verifications, heartbeats, claims and the booking path. */
    readonly processes: number;
    readonly coreSeconds: {
      readonly joins: number;
      readonly verifications: number;
      readonly heartbeats: number;
      readonly claims: number;
      readonly bookingPath: number;
    };
    /** Joins a second each process should start (JOIN_BUDGET_PER_SEC). */
    readonly joinBudgetPerProcess: number;
    /** Without an edge: Node cores for the snapshot polls alone. */
    readonly snapshotCoresWithoutEdge: number;
  };
  readonly edge: {
    readonly cores: number;
    readonly snapshotCores: number;
    readonly joinCores: number;
    /** Origin snapshot requests per second: one per edge per second (partitions share one document). */
    readonly originSnapshotRequestsPerSec: number;
    /** Total edge joins a second to pass to the origins (limit_req), the rest refused at the edge. */
    readonly joinRatePerSec: number;
  };
  readonly redis: {
    readonly shards: number;
    /** Shards for throughput alone (before the minimum of 3 for failover). */
    readonly shardsForLoad: number;
    readonly peakCommandsPerSec: number;
    readonly memoryBytes: number;
    readonly memoryPerShardBytes: number;
    /** Partitions to configure (≈ 32 per master, docs/scaling.md §1). */
    readonly partitions: number;
  };
  readonly postgres: {
    readonly peakBookingsPerSec: number;
    readonly peakVerificationReadsPerSec: number;
    readonly cores: number;
    /** Share of the measured booking capacity (scaled to `cores`) used at the peak. */
    readonly utilisation: number;
    readonly storageBytes: number;
    readonly bookings: number;
    /** Server connections to aim for through a pooler (2-4 per core). */
    readonly connections: number;
  };
  readonly minutes: readonly PlanMinute[];
  readonly assumptions: readonly string[];
  /** The targets the plan used (defaults merged with the input's). */
  readonly targets: PlanTargets;
  readonly measuredFrom: MeasuredCapacity['source'];
}

const Z90 = 1.2815515655446004;

/** Mean of a log-normal given by its median and 90th percentile. */
export function logNormalMean(spec: LogNormalSpec): number {
  const sigma = Math.log(spec.p90 / spec.median) / Z90;
  return spec.median * Math.exp((sigma * sigma) / 2);
}

/** P(X ≤ x) for the log-normal given by median and p90. */
export function logNormalCdf(spec: LogNormalSpec, x: number): number {
  if (x <= 0) return 0;
  const sigma = Math.log(spec.p90 / spec.median) / Z90;
  if (sigma === 0) return x >= spec.median ? 1 : 0;
  return normalCdf(Math.log(x / spec.median) / sigma);
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 on erf; error < 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

/** Share of all arrivals by `minutes` after the opening (the curve's CDF, as the simulator samples it). */
export function arrivalCdf(curve: readonly CurveSegment[], minutes: number): number {
  const total = curve.reduce((n, c) => n + c.weight, 0);
  if (total <= 0) return 0;
  let done = 0;
  for (const c of curve) {
    if (minutes <= c.fromMinutes) continue;
    const length = c.toMinutes - c.fromMinutes;
    const x = Math.min(minutes, c.toMinutes) - c.fromMinutes;
    let share = x / length;
    if (c.halfLifeMinutes !== undefined) {
      const k = Math.LN2 / c.halfLifeMinutes;
      share = (1 - Math.exp(-k * x)) / (1 - Math.exp(-k * length));
    }
    done += c.weight * share;
  }
  return done / total;
}

/**
 * Peak of a queue-length series and when it drained: the first time after the peak that it fell to
 * `share` of the peak. Times in seconds from the opening. Used on the model's series and on the
 * simulator's, so both are read the same way.
 */
export function peakAndDrain(
  series: readonly { readonly atSec: number; readonly queue: number }[],
  share: number,
): { peak: number; peakAtSec: number; drainedAtSec: number | null } {
  let peak = 0,
    peakAtSec = 0,
    iPeak = -1;
  series.forEach((p, i) => {
    if (p.queue > peak) {
      peak = p.queue;
      peakAtSec = p.atSec;
      iPeak = i;
    }
  });
  if (iPeak < 0) return { peak: 0, peakAtSec: 0, drainedAtSec: 0 };
  for (let i = iPeak + 1; i < series.length; i += 1) {
    if (series[i]!.queue <= share * peak) return { peak, peakAtSec, drainedAtSec: series[i]!.atSec };
  }
  return { peak, peakAtSec, drainedAtSec: null };
}

/** Places reached per second from the opening until the queue drains (as `peakAndDrain` says); null: none reached. */
function meanRateUntilDrained(series: ModelRun['series'], share: number): number | null {
  const { drainedAtSec } = peakAndDrain(series, share);
  let admitted = 0,
    seconds = 0;
  for (const p of series) {
    if (p.atSec < 0) continue;
    if (drainedAtSec !== null && p.atSec >= drainedAtSec) break;
    admitted += p.admitted;
    seconds += 1;
  }
  return seconds > 0 && admitted > 0 ? admitted / seconds : null;
}

interface Mix {
  joining: number;
  cohortSelf: number;
  proxies: number;
  outsiders: number;
  /** Mean length of a session that ends in a booking (s). */
  bookingSessionSeconds: number;
  /** Share of claimed sessions that end in no booking (outsiders, the second of a parent-child pair): they expire. */
  expiringShare: number;
  /** Mean active time of a claimed session, expiring ones included (s). */
  sessionSeconds: number;
  /** Booking-path requests per claimed session, and bookings per claimed session. */
  requestsPerSession: number;
  bookingsPerSession: number;
}

function mixOf(d: PlanDemand, ttlSeconds: number): Mix {
  const showUps = d.eligible * d.showUpShare;
  const proxies = showUps * d.proxyShare;
  const cohortSelf = showUps * (1 - d.proxyShare) + proxies * d.proxyParentAlsoTriesShare;
  const outsiders = d.eligible * d.outsiderShare;
  const joining = cohortSelf + proxies + outsiders;
  const elig = logNormalMean(d.thinkSeconds.eligibility),
    search = logNormalMean(d.thinkSeconds.search),
    book = logNormalMean(d.thinkSeconds.book);
  // A parent whose child already booked stops at eligibility ("already booked"), as outsiders do.
  const parentsAfterChild = proxies * d.proxyParentAlsoTriesShare;
  const fullCohort = cohortSelf - parentsAfterChild;
  const w = (n: number) => (joining > 0 ? n / joining : 0);
  const booking = w(fullCohort) + w(proxies);
  const bookingSessionSeconds =
    booking > 0 ? (w(fullCohort) * (elig + search + book) + w(proxies) * (search + book)) / booking : 0;
  const expiringShare = w(parentsAfterChild + outsiders);
  // The site does not end an admission that found nothing to book: it holds its session until it expires.
  const sessionSeconds = booking * bookingSessionSeconds + expiringShare * ttlSeconds;
  const requestsPerSession = w(fullCohort) * 3 + w(proxies) * 2 + w(parentsAfterChild + outsiders) * 1;
  const bookingsPerSession = w(fullCohort + proxies);
  return {
    joining,
    cohortSelf,
    proxies,
    outsiders,
    bookingSessionSeconds,
    expiringShare,
    sessionSeconds,
    requestsPerSession,
    bookingsPerSession,
  };
}

/**
 * Share of people reached after waiting `w` s who are there to claim: still patient, or gave up
 * and came back in time. And the share who will come back after the grace period (they join again
 * at the back).
 */
function presence(d: PlanDemand, graceSec: number) {
  const pat = { median: d.patienceMinutes.median * 60, p90: d.patienceMinutes.p90 * 60 };
  const cbMin = d.comeBackAfterMinutes.min * 60,
    cbMax = d.comeBackAfterMinutes.max * 60;
  const uCdf = (x: number) => (x <= cbMin ? 0 : x >= cbMax ? 1 : cbMax === cbMin ? 1 : (x - cbMin) / (cbMax - cbMin));
  const STEP = 30;
  const cache = new Map<number, { present: number; rejoinLater: number; backWithinGrace: number }>();
  return (w: number) => {
    const key = Math.max(0, Math.round(w / STEP));
    const hit = cache.get(key);
    if (hit) return hit;
    const ww = key * STEP;
    let cameBack = 0,
      withinGrace = 0,
      later = 0;
    for (let x = 0; x < ww; x += STEP) {
      const f = logNormalCdf(pat, x + STEP) - logNormalCdf(pat, x);
      const mid = x + STEP / 2;
      cameBack += f * uCdf(ww - mid);
      withinGrace += f * (uCdf(ww - mid + graceSec) - uCdf(ww - mid));
      later += f * (1 - uCdf(ww - mid + graceSec));
    }
    const gaveUp = logNormalCdf(pat, ww);
    const v = {
      present: 1 - gaveUp + d.comeBackShare * cameBack,
      backWithinGrace: d.comeBackShare * withinGrace,
      rejoinLater: d.comeBackShare * later,
    };
    cache.set(key, v);
    return v;
  };
}

const ceil = (x: number) => Math.max(0, Math.ceil(x - 1e-9));

/**
 * The cap-held turnover by minute from the opening until the queue drains: a minute the cap did
 * not hold (or held with nobody let through) takes the next held minute's, the last ones the last held minute's; empty when it never held.
 */
function turnoverUntilDrained(run: ModelRun, drainedShareOfPeak: number): number[] {
  const drainedAtSec = peakAndDrain(run.series, drainedShareOfPeak).drainedAtSec;
  const minutes = run.minutes.filter(
    (m) => m.minute >= 0 && (drainedAtSec === null || (m.minute + 1) * 60 <= drainedAtSec),
  );
  const curve: number[] = [];
  let next: number | null = null;
  for (let i = minutes.length - 1; i >= 0; i -= 1) {
    next = minutes[i]!.turnoverPerSec ?? next;
    curve[i] = next ?? Number.NaN;
  }
  const held = minutes.filter((m) => m.turnoverPerSec !== null);
  const lastHeld = held[held.length - 1]?.turnoverPerSec ?? null;
  return lastHeld === null ? [] : curve.map((x) => (Number.isNaN(x) ? lastHeld : x));
}

export function planCapacity(input: PlanInput): CapacityPlan {
  const d = input.demand,
    s = input.service,
    m = input.measured;
  const t: PlanTargets = { ...defaultPlanTargets, ...input.targets };
  const mix = mixOf(d, s.admissionTtlSeconds);
  const presentAt = presence(d, s.graceSeconds);

  // The rate to plan: the service's maximum, what Postgres takes at the target utilisation, and
  // what the active-session cap lets through with sessions of this length.
  const pgCapacity = (m.postgres.bookingTps * t.utilisation) / Math.max(1e-9, mix.bookingsPerSession);
  const typicalPresent = presentAt(0).present;
  const perAdmission = typicalPresent * (mix.sessionSeconds + 1) + (1 - typicalPresent) * s.claimWindowSeconds;
  const capRate = s.activeSessionCap / Math.max(1e-9, perAdmission);
  const candidates = [
    { rate: s.admissionMaxRatePerSec, why: 'service-maximum' as const },
    { rate: capRate, why: 'active-session-cap' as const },
    { rate: pgCapacity, why: 'postgres' as const },
  ];
  const chosen = candidates.reduce((a, b) => (b.rate < a.rate ? b : a));
  const rate = input.admissionRatePerSec ?? chosen.rate;

  const sim = runQueueModel(d, s, t, mix, rate, presentAt);
  const pd = peakAndDrain(sim.series, t.drainedShareOfPeak);
  // The same night with the controller free to climb (a pinned rate is the rate): the cap decides.
  const ceiling = Math.min(s.admissionMaxRatePerSec, pgCapacity);
  const opening =
    input.admissionRatePerSec != null || ceiling <= rate ? sim : runQueueModel(d, s, t, mix, ceiling, presentAt);
  const openingRate = meanRateUntilDrained(opening.series, t.drainedShareOfPeak) ?? rate;
  const turnoverCurve = turnoverUntilDrained(opening, t.drainedShareOfPeak);
  const drainedAtMinutes = pd.drainedAtSec === null ? null : pd.drainedAtSec / 60;

  // Peak loads (per second, at the busiest second of each kind).
  const verificationsPerSec = sim.peakVerifications;
  const peakQueue = pd.peak;
  const snapshotPollsPerSec = Math.max(peakQueue, sim.peakPreRoom) / t.snapshotPollSeconds;
  const heartbeatsPerSec = Math.max(peakQueue, sim.peakPreRoom) / t.heartbeatSeconds;
  const bookingRequestsPerSec = sim.peakClaims * mix.requestsPerSession;
  const bookingsPerSec = sim.peakClaims * mix.bookingsPerSession;

  const us = (perSec: number, cpuUs: number) => (perSec * cpuUs) / 1e6;
  const coreSeconds = {
    joins: us(sim.peakJoinRequests, m.node.joinCpuUs),
    verifications: us(verificationsPerSec, m.node.verifyCpuUs),
    // A heartbeat or claim is a status request: session and ticket checks like a join, without its
    // writes; counted at the join's cost (npm run bench does not measure it over a socket).
    heartbeats: us(heartbeatsPerSec, m.node.joinCpuUs),
    claims: us(sim.peakClaims, m.node.joinCpuUs),
    bookingPath: (bookingRequestsPerSec * m.node.bookingRequestCpuMs) / 1e3,
  };
  const nodeCores = Object.values(coreSeconds).reduce((a, b) => a + b, 0) / t.utilisation;
  const processes = Math.max(2, ceil(nodeCores));
  const joinCapacityPerProcess = 1e6 / m.node.joinCpuUs;

  const snapshotCores = us(snapshotPollsPerSec, m.edge.snapshotCpuUs) / t.utilisation;
  const edgeJoinCores = us(sim.peakJoinRequests, m.edge.joinCpuUs) / t.utilisation;
  const edgeCores = Math.max(1, ceil(snapshotCores + edgeJoinCores));
  const edges = Math.max(1, ceil(edgeCores / 2));

  // Redis: every join request runs the join script and the two shared rate-limit counters; claims
  // and admission checks are a few commands per admitted person.
  const redisJoinShardSec = sim.peakJoinRequests / m.redis.joinsPerShardSecond;
  const redisCounterShardSec = (2 * sim.peakJoinRequests + 4 * sim.peakClaims) / m.redis.commandsPerShardSecond;
  const shardsForLoad = ceil((redisJoinShardSec + redisCounterShardSec) / t.utilisation);
  const shards = Math.max(3, shardsForLoad);
  const memoryBytes = mix.joining * m.redis.bytesPerPerson * (1 + t.redisReplicas) * (1 / t.utilisation);

  const bookings = sim.totalClaims * mix.bookingsPerSession;
  const pgTpsPerCore = m.postgres.bookingTps / m.postgres.cores;
  const pgCores = Math.max(2, ceil(bookingsPerSec / (pgTpsPerCore * t.utilisation)));
  const storageBytes = bookings * t.postgresBytesPerBooking + d.eligible * t.postgresBytesPerPerson * 1.2;

  const schedule = [
    {
      fromMinutes: 0,
      ratePerSec: round(openingRate, 1),
      note: 'from the opening: the opening rate, the mean until the queue drains (enter it as the planned admission rate)',
    },
    ...(drainedAtMinutes === null
      ? []
      : [
          {
            fromMinutes: round(drainedAtMinutes, 1),
            ratePerSec: round(sim.arrivalsAfterDrainPerSec, 1),
            note: 'queue drained: admission follows the arrivals (the cap and rate stay as set)',
          },
        ]),
  ];

  return {
    people: {
      eligible: d.eligible,
      joining: Math.round(mix.joining),
      proxies: Math.round(mix.proxies),
      outsiders: Math.round(mix.outsiders),
      joinRequests: Math.round(sim.totalJoinRequests),
    },
    admission: {
      plannedRatePerSec: round(rate, 1),
      openingRatePerSec: round(openingRate, 1),
      turnoverCurvePerSec: turnoverCurve,
      limitedBy: chosen.why,
      sessionSeconds: round(mix.sessionSeconds, 1),
      presentShare: round(typicalPresent, 3),
      schedule,
    },
    queue: {
      peak: Math.round(pd.peak),
      peakAtMinutes: round(pd.peakAtSec / 60, 1),
      drainedAtMinutes: drainedAtMinutes === null ? null : round(drainedAtMinutes, 1),
      preRoomAtOpening: Math.round(sim.preRoomAtOpening),
      peakActiveSessions: Math.round(sim.peakActive),
    },
    peak: {
      joinRequestsPerSec: Math.round(sim.peakJoinRequests),
      verificationsPerSec: Math.round(verificationsPerSec),
      snapshotPollsPerSec: Math.round(snapshotPollsPerSec),
      heartbeatsPerSec: Math.round(heartbeatsPerSec),
      claimsPerSec: Math.round(sim.peakClaims),
      bookingRequestsPerSec: Math.round(bookingRequestsPerSec),
      bookingsPerSec: Math.round(bookingsPerSec),
    },
    frontDoor: {
      processes,
      coreSeconds: {
        joins: round(coreSeconds.joins, 2),
        verifications: round(coreSeconds.verifications, 2),
        heartbeats: round(coreSeconds.heartbeats, 2),
        claims: round(coreSeconds.claims, 2),
        bookingPath: round(coreSeconds.bookingPath, 2),
      },
      joinBudgetPerProcess: Math.max(1, Math.floor(0.9 * joinCapacityPerProcess)),
      snapshotCoresWithoutEdge: round(us(snapshotPollsPerSec, m.node.snapshotCpuUs) / t.utilisation, 1),
    },
    edge: {
      cores: edgeCores,
      snapshotCores: round(snapshotCores, 2),
      joinCores: round(edgeJoinCores, 2),
      originSnapshotRequestsPerSec: edges,
      joinRatePerSec: Math.floor(0.9 * joinCapacityPerProcess * processes),
    },
    redis: {
      shards,
      shardsForLoad,
      peakCommandsPerSec: Math.round(3 * sim.peakJoinRequests + 4 * sim.peakClaims),
      memoryBytes: Math.round(memoryBytes),
      memoryPerShardBytes: Math.round(memoryBytes / shards),
      partitions: Math.max(s.partitions, 32 * shards),
    },
    postgres: {
      peakBookingsPerSec: Math.round(bookingsPerSec),
      peakVerificationReadsPerSec: Math.round(2 * verificationsPerSec),
      cores: pgCores,
      utilisation: round(bookingsPerSec / (pgTpsPerCore * pgCores), 3),
      storageBytes: Math.round(storageBytes),
      bookings: Math.round(bookings),
      connections: 3 * pgCores,
    },
    minutes: sim.minutes,
    assumptions: [
      `Cores and shards planned at ${Math.round(t.utilisation * 100)} % of the measured per-core and per-shard rates.`,
      `A waiting page asks the public snapshot every ${t.snapshotPollSeconds} s and sends a status heartbeat every ${t.heartbeatSeconds} s; heartbeats and claims cost what a join costs in Node (not measured separately).`,
      'Each booking-path request (eligibility, slot search, booking) costs the measured service CPU of a booking.',
      'Every first join, other device and come-back verifies identity once; Postgres reads 2 rows per verification (provider name check, person lookup).',
      `Postgres storage: ${t.postgresBytesPerBooking} B per booking (both doses, outbox, indexes) and ${t.postgresBytesPerPerson} B per registered person (ASSUMED, not measured).`,
      `Redis memory: the measured bytes per queued person × (1 + ${t.redisReplicas} replica), at ${Math.round(t.utilisation * 100)} % fill; at least 3 masters for failover.`,
      'Queue: a fluid model of the waiting room (pre-room, cap, give-ups, come-backs, grace); the simulator checks it (src/capacity/capacity-plan.int.test.ts).',
    ],
    targets: t,
    measuredFrom: m.source,
  };
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

interface ModelRun {
  /** Each second: the queue at its end and the places the cursor moved (admitted). */
  series: { atSec: number; queue: number; admitted: number }[];
  minutes: PlanMinute[];
  preRoomAtOpening: number;
  peakPreRoom: number;
  peakJoinRequests: number;
  peakVerifications: number;
  peakClaims: number;
  peakActive: number;
  totalJoinRequests: number;
  totalClaims: number;
  arrivalsAfterDrainPerSec: number;
}

/** Steps the queue once a second from the first arrival until it has drained after the last one. */
function runQueueModel(
  d: PlanDemand,
  s: PlanService,
  t: PlanTargets,
  mix: Mix,
  rate: number,
  presentAt: ReturnType<typeof presence>,
): ModelRun {
  const startSec = Math.floor(Math.min(...d.arrivalCurve.map((c) => c.fromMinutes)) * 60);
  const lastArrivalSec = Math.ceil(Math.max(...d.arrivalCurve.map((c) => c.toMinutes)) * 60);
  const endLimit = lastArrivalSec + t.maxSecondsAfterLastArrival;
  const N = mix.joining;
  const reloadGap = Math.max(1, d.reloadGapSeconds);
  const extraMean = d.extraDevicesShare * ((1 + d.extraDevicesMax) / 2);
  const OTHER_DEVICE_GAP = 20;

  // Places: pre-room (handed out at the opening), then post-opening joins in arrival order. To
  // know how long the person at the cursor has waited we keep the arrival time of each block of
  // post-opening places (one block per second of arrivals).
  let preRoom = 0;
  let frozen: number | null = null;
  let tail = 0; // places handed out after the opening freeze (frozen + post-opening joins + rejoins)
  let cursor = 0;
  const blocks: { endSeq: number; atSec: number }[] = []; // post-opening places: seq range end and arrival second
  let blockIdx = 0;

  let reloadPool = 0; // expected reloads still to come from people who are around
  let otherPool = 0;
  let active = 0; // sessions that will end in a booking (exponential, mean bookingSessionSeconds)
  let expiring = 0; // sessions that will expire: they leave admissionTtlSeconds after their claim
  const expiringRing = new Float64Array(Math.max(1, Math.round(s.admissionTtlSeconds)));
  const advancedRing = new Float64Array(Math.max(1, Math.round(s.claimWindowSeconds)));
  const claimRing = new Float64Array(advancedRing.length);
  let lastPresent = 1;
  let pendingClaim = 0; // present people reached in the previous second claim now
  const rejoinQueue = new Map<number, number>(); // second → people who join again at the back then
  const comebackQueue = new Map<number, number>(); // second → come-backs that only re-join (keep their place)
  const add = (mapq: Map<number, number>, at: number, n: number) => mapq.set(at, (mapq.get(at) ?? 0) + n);

  const series: ModelRun['series'] = [];
  const minutes: PlanMinute[] = [];
  let minuteAcc = { first: 0, joins: 0, admitted: 0, claims: 0, heldAdmitted: 0, heldSeconds: 0 };
  let peakJoinRequests = 0,
    peakVerifications = 0,
    peakClaims = 0,
    peakActive = 0,
    peakPreRoom = 0;
  let totalJoinRequests = 0,
    totalClaims = 0;
  let preRoomAtOpening = 0;
  let cdfPrev = arrivalCdf(d.arrivalCurve, startSec / 60);
  const sessionRate = 1 / Math.max(1, mix.bookingSessionSeconds);

  for (let sec = startSec; sec < endLimit; sec += 1) {
    const cdf = arrivalCdf(d.arrivalCurve, (sec + 1) / 60);
    const first = N * (cdf - cdfPrev);
    cdfPrev = cdf;
    // Reloads and other devices follow each arrival by exponential gaps (the simulator's rule).
    reloadPool += first * d.reloadsMean;
    otherPool += first * extraMean;
    const reloads = reloadPool / reloadGap;
    reloadPool -= reloads;
    const others = otherPool / OTHER_DEVICE_GAP;
    otherPool -= others;
    const comebacks = comebackQueue.get(sec) ?? 0;
    comebackQueue.delete(sec);
    const rejoins = rejoinQueue.get(sec) ?? 0;
    rejoinQueue.delete(sec);
    const joinRequests = first + reloads + others + comebacks + rejoins;
    const verifications = first + others + comebacks + rejoins;

    let admitted = 0,
      claims = 0;
    if (sec < 0) {
      preRoom += first;
    } else {
      if (frozen === null) {
        frozen = preRoom;
        preRoomAtOpening = preRoom;
        tail = frozen;
      }
      const newPlaces = first + rejoins;
      if (newPlaces > 0) {
        tail += newPlaces;
        blocks.push({ endSeq: tail, atSec: sec });
      }
      // Claims of people reached last second who are there; sessions end at their mean length.
      claims = pendingClaim;
      active += claims * (1 - mix.expiringShare) - active * sessionRate;
      const slot = sec % expiringRing.length;
      expiring += claims * mix.expiringShare - expiringRing[slot]!;
      expiringRing[slot] = claims * mix.expiringShare;
      const pendingInWindow = advancedRing.reduce((a, b) => a + b, 0) - claimRing.reduce((a, b) => a + b, 0);
      const room = Math.max(0, s.activeSessionCap - active - expiring - Math.max(0, pendingInWindow));
      admitted = Math.min(rate, room, Math.max(0, tail - cursor));
      if (room < rate && room < tail - cursor) {
        minuteAcc.heldAdmitted += admitted;
        minuteAcc.heldSeconds += 1;
      }
      // Who is at the cursor: how long they have waited decides whether they are there.
      const mid = cursor + admitted / 2;
      let waitedSec: number;
      if (mid <= (frozen ?? 0)) waitedSec = sec;
      else {
        while (blockIdx < blocks.length - 1 && blocks[blockIdx]!.endSeq < mid) blockIdx += 1;
        waitedSec = sec - blocks[blockIdx]!.atSec;
      }
      const p = presentAt(waitedSec);
      lastPresent = p.present;
      cursor += admitted;
      pendingClaim = admitted * Math.min(1, p.present + p.backWithinGrace);
      // Away when reached and back after the grace period: they join again at the back, on average
      // halfway through the come-back window from now.
      if (p.rejoinLater > 0 && admitted > 0) {
        const delay = Math.max(
          s.graceSeconds,
          ((d.comeBackAfterMinutes.max - d.comeBackAfterMinutes.min) * 60) / 2 - waitedSec / 4,
        );
        add(rejoinQueue, sec + Math.round(delay), admitted * p.rejoinLater);
      }
      advancedRing[sec % advancedRing.length] = admitted;
      claimRing[sec % claimRing.length] = claims;
      totalClaims += claims;
    }
    // Come-backs that find their place still there re-join (a request, no new place): the share who
    // gave up and came back before being reached, spread over the come-back window.
    if (first > 0 && d.comeBackShare > 0) {
      const pat = d.patienceMinutes.median * 60;
      const back = Math.round(
        Math.max(sec, 0) + pat + ((d.comeBackAfterMinutes.min + d.comeBackAfterMinutes.max) * 60) / 2,
      );
      add(comebackQueue, back, first * 0.5 * d.comeBackShare * (1 - lastPresent));
    }

    totalJoinRequests += joinRequests;
    peakJoinRequests = Math.max(peakJoinRequests, joinRequests);
    peakVerifications = Math.max(peakVerifications, verifications);
    peakClaims = Math.max(peakClaims, claims);
    peakActive = Math.max(peakActive, active + expiring);
    peakPreRoom = Math.max(peakPreRoom, preRoom);
    const queue = sec < 0 ? preRoom : Math.max(0, tail - cursor);
    series.push({ atSec: sec, queue, admitted });

    minuteAcc.first += first;
    minuteAcc.joins += joinRequests;
    minuteAcc.admitted += admitted;
    minuteAcc.claims += claims;
    if ((sec + 1) % 60 === 0) {
      minutes.push({
        minute: (sec + 1) / 60 - 1,
        firstJoinsPerSec: round(minuteAcc.first / 60, 1),
        joinRequestsPerSec: round(minuteAcc.joins / 60, 1),
        admittedPerSec: round(minuteAcc.admitted / 60, 1),
        claimsPerSec: round(minuteAcc.claims / 60, 1),
        queue: Math.round(queue),
        activeSessions: Math.round(active + expiring),
        turnoverPerSec:
          minuteAcc.heldSeconds > 0 && minuteAcc.heldAdmitted > 0
            ? Number((minuteAcc.heldAdmitted / minuteAcc.heldSeconds).toPrecision(3))
            : null,
      });
      minuteAcc = { first: 0, joins: 0, admitted: 0, claims: 0, heldAdmitted: 0, heldSeconds: 0 };
    }
    if (sec >= lastArrivalSec && queue < 0.5 && active + expiring < 0.5 && rejoinQueue.size === 0) {
      break;
    }
  }
  const pd = peakAndDrain(series, t.drainedShareOfPeak);
  const afterDrain = pd.drainedAtSec === null ? 0 : Math.max(0, pd.drainedAtSec);
  const arrivalsAfterDrainPerSec =
    pd.drainedAtSec === null
      ? 0
      : (N * (arrivalCdf(d.arrivalCurve, afterDrain / 60 + 10) - arrivalCdf(d.arrivalCurve, afterDrain / 60))) / 600;
  return {
    series,
    minutes,
    preRoomAtOpening,
    peakPreRoom,
    peakJoinRequests,
    peakVerifications,
    peakClaims,
    peakActive,
    totalJoinRequests,
    totalClaims,
    arrivalsAfterDrainPerSec,
  };
}
