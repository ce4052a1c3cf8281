/**
 * Full-scale mode: the whole cohort through the real services (composeServices: the waiting room
 * over the real Redis store and its Lua scripts, the booking and availability services over real
 * Postgres, the outbox sender), with arrivals and behaviour simulated on a virtual clock. No HTTP.
 *
 * The clock, in lock-step: each step sets the virtual time, starts every event due, waits for all
 * the real calls it started, runs one admission tick (fed by the booking path's measured latency)
 * and, once a virtual second, refreshes the snapshot. The step then advances virtual time by the
 * wall time it took (at least one tick, at most MAX_STEP_MS). So virtual time never runs faster
 * than the machine while it has work: bookings per virtual second are bookings this Postgres did
 * per wall second (while also hosting the simulator, Redis and every queue call — a conservative
 * figure). Idle stretches (no event due, nobody waiting) are skipped. Steps capped at MAX_STEP_MS
 * mean the simulator was the bottleneck; the report counts those seconds.
 */
import pino from 'pino';
import { composeServices } from '../../src/app/compose.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { createOutboxSender } from '../../src/booking/outbox.sender.ts';
import { loadSeedCampaigns } from '../../src/eligibility/seed-campaigns.ts';
import { openingsOf } from '../../src/eligibility/openings.ts';
import { createPrng, deriveSeed } from '../../src/synthetic/prng.ts';
import { defaultWaitingRoomSettings } from '../../src/waiting-room/room.ts';
import { isTurnoverCurve } from '../../src/waiting-room/admission-settings.ts';
import { deriveKey } from '../../src/platform/signing.ts';
import { inProcessBookingPath } from './booking-path.ts';
import { startBookingWorkers } from './booking-workers.ts';
import { Outcome, State } from './crowd.ts';
import { openRunStores, runConfig, scaledService, uniqueRunId, type RunStores } from './environment.ts';
import { checkInvariants, countingChannel, type Invariant } from './invariants.ts';
import { plannedAdmissionRate, type PlannedRate } from './planned-rate.ts';
import { buildCrowd, plannedJoins, type CrowdCounts } from './population.ts';
import { onArrive, onComeBack, onOtherDevice, onPoll, onReload } from './queue-agent.ts';
import { Recorder } from './recorder.ts';
import type { Scenario } from './scenario.ts';
import { onBook, onEligibility, onSearch } from './session-agent.ts';
import { Ev, WHEEL_BUCKET_MS, isBookingPathEvent, kindOf, personOf, schedule, type Sim } from './sim.ts';
import { seedSupply, type Supply } from './supply.ts';
import { TimeWheel } from './time-wheel.ts';

const MAX_STEP_MS = 2_000;
const QUIET_STEP_MS = 1_000;
/** More real calls than this in a step make it a busy one. */
const BUSY_STEP_CALLS = 100;

export interface FullOptions {
  scenario: Scenario;
  scale: number;
  databaseUrl: string;
  redisUrl: string;
  dataDir: string;
  /** Stop stepping after this much wall time (the report says so). */
  maxWallMs: number;
  /** Keep the schema and Redis keys for inspection. */
  keep?: boolean;
  /**
   * 'wall' (default): lock-step, virtual time advances by the wall time a step took (honest
   * throughput). 'fixed': every step advances by the tick interval whatever it cost, so a run does
   * not depend on the machine's speed (the smoke tests); its bookings per second mean nothing.
   */
  stepping?: 'wall' | 'fixed';
  /** Aborting (Ctrl-C) ends the loop at the next step; the run still reports and cleans up. */
  signal?: AbortSignal;
  /** Worker threads for the booking path (0: this thread). See booking-path.ts. */
  bookingWorkers?: number;
  /**
   * Pin the admission rate (admissions/s) from the start, as an operator following a capacity plan
   * would (`npm run plan`); the active-session cap still holds. Unset: the AIMD controller adapts.
   */
  admissionRatePerSec?: number;
  /**
   * Enter the capacity plan's turnover curve with the planned rate (default true), as the console's
   * "use this plan" does; false: the planned rate alone (ETAs assume the rate now lasts), to compare.
   */
  plannedTurnover?: boolean;
  /**
   * The plan to enter instead of the capacity plan's (a rehearsal's, rehearsal.ts), with the session cap
   * it measured; unset: the capacity plan for the scenario at this scale, and the scenario's cap.
   */
  plan?: {
    readonly rate: PlannedRate;
    readonly activeSessionCap: number | null;
    /** ACTIVE_SESSION_FLOOR (0: the controller's 10 % of the cap). */
    readonly activeSessionFloor?: number;
  };
  /** Stop this many virtual minutes after the opening (a rehearsal); unset: the scenario's horizon. */
  minutesAfterOpening?: number;
  /**
   * Longest step before the opening (ms; default 1 s, a quiet step). Nobody is admitted before the
   * opening: joins only enter the pre-room (drawn at random at the opening, so their order within
   * it does not matter) and polls get a countdown; longer steps there run those events up to this
   * late, never past the opening (the last step before it is a quiet one). `npm run plan:check`
   * uses 10 s: at 1/10 scale on the shared 2-core machine the hour of 1 s pre-opening steps cost
   * about as much wall time as the night after it (tools/plan/README.md). Scripted clients that poll
   * faster than a step poll once a step before the opening.
   */
  preOpeningStepMs?: number;
  onPhase?: (phase: string, done: number, total: number) => void;
  onStep?: (p: StepProgress) => void;
}

export interface StepProgress {
  virtualMs: number;
  startMs: number;
  horizonMs: number;
  opensAtMs: number;
  arrivals: number;
  waiting: number;
  booked: number;
  wallMs: number;
}

export interface FullResult {
  sim: Sim;
  counts: CrowdCounts;
  supply: Supply;
  invariants: Invariant[];
  plannedJoins: number;
  wallMs: { setup: number; run: number; finish: number };
  stoppedBy: 'done' | 'horizon' | 'wall-limit' | 'interrupted';
  service: ReturnType<typeof scaledService> & {
    admissionPlannedRateSource: PlannedRate['source'];
    /** The turnover curve entered with the planned rate (empty: none). */
    admissionPlannedTurnoverPerSec: readonly number[];
  };
  runId: string;
  cleanedUp: { keys: number } | null;
  /** With `keep`: the run's stores, still open, for inspection; `cleanup()` removes them. */
  kept: RunStores | null;
  settings: { bookingWorkers: number; stepping: 'wall' | 'fixed'; pinnedAdmissionRatePerSec: number | null };
}

export async function runFull(o: FullOptions): Promise<FullResult> {
  const t0 = performance.now();
  const runId = uniqueRunId();
  const plannedRate = o.plan?.rate ?? plannedAdmissionRate(o.scenario, o.scale);
  const scaled = scaledService(o.scenario.service, o.scale);
  const service = {
    ...scaled,
    activeSessionCap: o.plan?.activeSessionCap ?? scaled.activeSessionCap,
    activeSessionFloor: o.plan?.activeSessionFloor ?? 0,
    admissionPlannedRatePerSec: plannedRate.ratePerSec,
    admissionPlannedRateSource: plannedRate.source,
    admissionPlannedTurnoverPerSec: o.plannedTurnover === false ? [] : plannedRate.turnoverPerSec,
  };
  const stores = await openRunStores({
    databaseUrl: o.databaseUrl,
    redisUrl: o.redisUrl,
    runId,
    dataDir: o.dataDir,
    poolSize: 24,
  });
  let running: Pick<Sim, 'bookingPath' | 'services'> | null = null;
  try {
    const { sim, counts, supply, channel, horizonMs } = await setUp(o, stores, service);
    running = sim;
    const planned = plannedJoins(sim.crowd);
    const t1 = performance.now();
    const sender = createOutboxSender({
      db: stores.database.db,
      clock: sim.clock,
      channel,
      maxAttempts: 10,
      batchSize: 1_000,
    });
    const stoppedBy = await loop(sim, {
      horizonMs,
      tickMs: service.admissionTickMs,
      deadline: t0 + o.maxWallMs,
      onStep: o.onStep,
      sender,
      isFixed: o.stepping === 'fixed',
      preOpeningStepMs: Math.max(QUIET_STEP_MS, o.preOpeningStepMs ?? QUIET_STEP_MS),
      signal: o.signal,
    });
    const t2 = performance.now();
    closeOutcomes(sim);
    await drainOutbox(sender);
    const invariants = await checkInvariants(
      stores.database.db,
      sim.campaignId,
      channel.deliveries,
      sim.rec.total('bookings'),
    );
    await sim.bookingPath.close();
    await sim.services.waitingRoom.close();
    const cleanedUp = o.keep ? null : { keys: await stores.cleanup() };
    return {
      sim,
      counts,
      supply,
      invariants,
      plannedJoins: planned,
      stoppedBy,
      service,
      runId,
      cleanedUp,
      kept: o.keep ? stores : null,
      settings: {
        bookingWorkers: o.bookingWorkers ?? 0,
        stepping: o.stepping ?? 'wall',
        pinnedAdmissionRatePerSec: o.admissionRatePerSec ?? null,
      },
      wallMs: { setup: t1 - t0, run: t2 - t1, finish: performance.now() - t2 },
    };
  } catch (e) {
    // What started must stop, or the process would stay alive on the room's timers and connections.
    await running?.bookingPath.close().catch(() => undefined);
    await running?.services.waitingRoom.close().catch(() => undefined);
    if (!o.keep) await stores.cleanup().catch(() => undefined);
    throw e;
  }
}

/**
 * A set-up phase's progress; an abort (Ctrl-C) stops the set-up here, so the run's stores are removed
 * at once instead of after the minutes registering 1.77 M people takes at full scale.
 */
function setUpProgress(o: FullOptions, phase: string, done: number, total: number): void {
  if (o.signal?.aborted) throw new Error(`interrupted while ${phase}`);
  o.onPhase?.(phase, done, total);
}

/** The production services over the run's stores, the campaign, the people and the supply; arrivals scheduled. */
async function setUp(
  o: FullOptions,
  stores: RunStores,
  service: ReturnType<typeof scaledService> & { admissionPlannedTurnoverPerSec: readonly number[] },
) {
  const { config, env } = runConfig({ dataDir: o.dataDir, redisUrl: o.redisUrl, keyPrefix: stores.keyPrefix, service });
  const rules = loadSeedCampaigns().find((c) => c.id === o.scenario.campaignId);
  if (!rules) throw new Error(`campaign ${o.scenario.campaignId} not found in data/campaigns`);
  const opensAtMs = openingsOf(rules)[0]!.opensAtMs;
  const startMs = opensAtMs - o.scenario.simulation.startMinutesBeforeOpening * 60_000;
  const horizonMs = opensAtMs + (o.minutesAfterOpening ?? o.scenario.simulation.minutesAfterOpening) * 60_000;
  const clock = fixedClock(startMs);
  const channel = countingChannel();
  const db = stores.database.db;
  const services = composeServices({
    config,
    clock,
    logger: pino({ level: 'silent' }),
    database: stores.database,
    channel,
  });
  try {
    const saved = await services.campaigns.saveVersion(rules, 'simulator', true);
    if (!saved.ok) throw new Error(`campaign ${rules.id} could not be saved: ${JSON.stringify(saved.detail)}`);
    const { crowd, counts } = await buildCrowd({
      db,
      hmacKey: config.identityHmacKey,
      scenario: o.scenario,
      scale: o.scale,
      opensAtMs,
      onProgress: (d, n) => setUpProgress(o, 'registering people', d, n),
    });
    const supply = await seedSupply({
      db,
      scenario: o.scenario,
      scale: o.scale,
      campaignId: rules.id,
      opensAtMs,
      doseIntervalDays: rules.cohorts[0]!.vaccine.doseIntervalDays,
      onProgress: (d, n) => setUpProgress(o, 'creating slots', d, n),
    });
    await services.waitingRoom.syncRooms();
    // The operator's planned admission rate and turnover, from the capacity plan (issue 14): ETAs start from them.
    if (service.admissionPlannedRatePerSec > 0) {
      const set = await services.waitingRoom.service.setAdmissionSettings(rules.id, {
        plannedRatePerSec: service.admissionPlannedRatePerSec,
        plannedTurnoverPerSec: isTurnoverCurve(service.admissionPlannedTurnoverPerSec)
          ? service.admissionPlannedTurnoverPerSec
          : null,
        message: null,
      });
      if (!set.ok) throw new Error(`planned rate refused: ${set.reason}`);
    }
    if (o.admissionRatePerSec !== undefined) {
      const pinned = services.waitingRoom.service.pinRate(rules.id, o.admissionRatePerSec);
      if (!pinned.ok) throw new Error(`cannot pin the admission rate: ${pinned.reason}`);
    }
    const bookingPath =
      (o.bookingWorkers ?? 0) > 0
        ? await startBookingWorkers(o.bookingWorkers!, {
            env,
            databaseUrl: o.databaseUrl,
            schema: stores.schema,
            poolSize: 12,
            campaignId: rules.id,
            nowMs: startMs,
          })
        : inProcessBookingPath(services, rules.id, clock);
    const sim: Sim = {
      bookingPath,
      scenario: o.scenario,
      crowd,
      clock,
      services,
      campaignId: rules.id,
      opensAtMs,
      wheel: new TimeWheel(startMs, WHEEL_BUCKET_MS, horizonMs),
      rec: new Recorder(startMs, Math.ceil((horizonMs - startMs) / 1000)),
      rng: createPrng(deriveSeed(o.scenario.seed, 'runtime')),
      wr: services.waitingRoom.service,
      ticketKey: deriveKey(config.signingSecret, 'queue-ticket'),
      poll: defaultWaitingRoomSettings,
      nextPollAt: new Float64Array(crowd.size).fill(Number.NaN),
      waitingSince: new Float64Array(crowd.size).fill(Number.NaN),
      etaPromises: new Map(),
      snapshot: null,
      seatsLeft: supply.seatsTonight,
      tasks: [],
      fatal: null,
      counts: {
        pollsSkipped: 0,
        realPollsSampled: 0,
        realPollsNearFront: 0,
        steps: 0,
        stepWallMs: 0,
        tickWallMs: 0,
        etaPlacesLost: 0,
      },
    };
    for (let i = 0; i < crowd.size; i += 1) if (crowd.comes(i)) schedule(sim, crowd.arriveAtMs[i]!, i, Ev.arrive);
    return { sim, counts, supply, channel, horizonMs };
  } catch (e) {
    await services.waitingRoom.close().catch(() => undefined);
    throw e;
  }
}

function dispatch(sim: Sim, event: number): void {
  const i = personOf(event);
  switch (kindOf(event)) {
    case Ev.arrive:
      return onArrive(sim, i);
    case Ev.reload:
      return onReload(sim, i);
    case Ev.otherDevice:
      return onOtherDevice(sim, i);
    case Ev.poll:
      return onPoll(sim, i);
    case Ev.comeBack:
      return onComeBack(sim, i);
    case Ev.eligibility:
      return onEligibility(sim, i);
    case Ev.search:
      return onSearch(sim, i);
    case Ev.book:
      return onBook(sim, i);
  }
}

interface LoopOptions {
  horizonMs: number;
  tickMs: number;
  deadline: number;
  onStep: FullOptions['onStep'];
  sender: ReturnType<typeof createOutboxSender>;
  isFixed: boolean;
  preOpeningStepMs: number;
  signal: AbortSignal | undefined;
}

async function loop(sim: Sim, o: LoopOptions): Promise<FullResult['stoppedBy']> {
  let t = sim.clock.nowMs();
  let nextRefreshMs = t;
  let waiting = 0;
  let outbox: Promise<unknown> | null = null;
  while (t < o.horizonMs) {
    sim.clock.set(t);
    const w0 = performance.now();
    const callsThisStep = await runDueEvents(sim, t);
    if (sim.fatal) throw sim.fatal;
    const tickStart = performance.now();
    const tick = await sim.wr.tick(sim.campaignId, sim.services.monitor.health());
    if (tick.ok) sim.rec.count('advanced', t, tick.value.advanced);
    if (t >= nextRefreshMs) {
      waiting = await refresh(sim, t);
      nextRefreshMs = t + 1_000;
    }
    // The outbox sender runs beside the loop, as in production (its wall time is real load).
    outbox ??= o.sender.runOnce().finally(() => {
      outbox = null;
    });
    const wall = performance.now() - w0;
    sim.counts.steps += 1;
    sim.counts.stepWallMs += wall;
    sim.counts.tickWallMs += performance.now() - tickStart;
    sim.rec.count('wallMs', t, wall);
    o.onStep?.({
      virtualMs: t,
      startMs: sim.rec.startMs,
      horizonMs: o.horizonMs,
      opensAtMs: sim.opensAtMs,
      arrivals: arrivalsSoFar(sim),
      waiting,
      booked: sim.rec.total('bookings'),
      wallMs: wall,
    });
    if (performance.now() > o.deadline) {
      await outbox;
      return 'wall-limit';
    }
    if (o.signal?.aborted) {
      await outbox;
      return 'interrupted';
    }
    const isIdle = t < sim.opensAtMs || waiting === 0;
    const next = sim.wheel.nextDueMs();
    if (isIdle && next === null && t >= sim.opensAtMs) {
      await outbox;
      return 'done';
    }
    // Busy steps tick at the production interval (a burst of calls per step stays small); quiet
    // ones take a second at a time (before the opening, up to preOpeningStepMs): the controller
    // admits rate × dt either way.
    const quietStep =
      t + QUIET_STEP_MS < sim.opensAtMs
        ? Math.max(QUIET_STEP_MS, Math.min(o.preOpeningStepMs, sim.opensAtMs - QUIET_STEP_MS - t))
        : QUIET_STEP_MS;
    const isBusy = callsThisStep > BUSY_STEP_CALLS && (t >= sim.opensAtMs || o.preOpeningStepMs <= QUIET_STEP_MS);
    const minStep = isBusy ? o.tickMs : Math.max(o.tickMs, quietStep);
    let advance = o.isFixed ? minStep : Math.round(Math.min(Math.max(MAX_STEP_MS, minStep), Math.max(minStep, wall)));
    if (isIdle && next !== null && next - t > advance) {
      // Skip to the event, but stop at the opening so it is ticked on time.
      const target = t < sim.opensAtMs ? Math.min(next, sim.opensAtMs) : next;
      advance = Math.max(advance, Math.floor((target - t) / o.tickMs) * o.tickMs);
    }
    t += advance;
  }
  await outbox;
  return 'horizon';
}

/**
 * Runs the step's events in two phases: the front door (joins, polls, claims) first, then the
 * booking path (eligibility, search, booking). The booking path's latency feeds the admission
 * controller, so it must not include this process's event-loop queue of thousands of queue calls:
 * in production those run on other servers. Returns how many real calls the step made.
 */
async function runDueEvents(sim: Sim, t: number): Promise<number> {
  const bookingPath: number[] = [];
  sim.wheel.drainDue(t, (ev) => (isBookingPathEvent(ev) ? bookingPath.push(ev) : dispatch(sim, ev)));
  let calls = sim.tasks.length;
  while (sim.tasks.length > 0) await Promise.all(sim.tasks.splice(0));
  for (const ev of bookingPath) dispatch(sim, ev);
  calls += sim.tasks.length;
  while (sim.tasks.length > 0) await Promise.all(sim.tasks.splice(0));
  return calls;
}

/** Re-reads the queue's counters (every server does this once a second) and records the gauges. */
async function refresh(sim: Sim, t: number): Promise<number> {
  await sim.wr.refreshSnapshot(sim.campaignId);
  const status = sim.wr.roomStatus(sim.campaignId);
  if (!status.ok) return 0;
  sim.snapshot = status.value.snapshot;
  const parts = status.value.snapshot?.partitions ?? [];
  const sum = (f: (s: (typeof parts)[number]['stats']) => number) => parts.reduce((n, p) => n + f(p.stats), 0);
  const waiting = sum((s) => s.waiting);
  sim.rec.gauge('waiting', t, waiting);
  sim.rec.gauge(
    'activeSessions',
    t,
    sum((s) => s.activeSessions),
  );
  sim.rec.gauge(
    'tail',
    t,
    sum((s) => s.tail),
  );
  sim.rec.gauge(
    'cursor',
    t,
    sum((s) => s.cursor),
  );
  sim.rec.gauge('ratePerSec', t, status.value.controller.ratePerSec);
  sim.rec.gauge('sessionLimit', t, status.value.controller.sessionLimit);
  sim.rec.gauge('slotsLeft', t, sim.seatsLeft);
  return waiting;
}

function arrivalsSoFar(sim: Sim): number {
  const r = sim.rec;
  return (
    r.total('arrivalsFirst') + r.total('arrivalsReload') + r.total('arrivalsOtherDevice') + r.total('arrivalsComeback')
  );
}

/** People the horizon caught mid-way get an outcome that says so. */
function closeOutcomes(sim: Sim): void {
  const c = sim.crowd;
  for (let i = 0; i < c.size; i += 1) {
    if (c.state[i] === State.waiting) c.outcome[i] = Outcome.stillWaiting;
    else if (c.state[i] === State.admitted) c.outcome[i] = Outcome.inSession;
  }
}

/** Sends every confirmation still due (bounded: stops when a round sends nothing). */
async function drainOutbox(sender: ReturnType<typeof createOutboxSender>): Promise<void> {
  for (let round = 0; round < 100_000; round += 1) {
    const r = await sender.runOnce();
    if (r.sent === 0 && r.failed === 0) return;
  }
}
