/**
 * One campaign's waiting room as the service holds it: its settings, the in-memory snapshot polls
 * are answered from, its admission controller, and the recovery path used when the store reports
 * 'missing-state' (Redis lost the queue): restore the counters from the checkpoint, once per room
 * even if many requests notice at the same moment.
 */
import type { Clock } from '../platform/clock.ts';
import type { Result } from '../platform/result.ts';
import type { AdmissionController } from './admission-controller.ts';
import type { WaitingRoomCheckpoint } from './checkpoint.ts';
import type { QueueRef } from './keys.ts';
import {
  createAdmissionMeter,
  atLeastRate,
  estimateHeadroom,
  estimateRate,
  estimateShape,
  confirmedCurveAt,
  curveAt,
  confirmedShare,
  confirmShape,
  partitionShare,
  scaleBand,
  turnoverShape,
  withHeadroom,
  withShape,
  type AdmissionMeter,
  type RoomSnapshot,
  SHAPE_PRIOR_SHARE,
  type RateBand,
  type SteadyMark,
} from './snapshot.ts';
import type { AdmissionSettings, SeatCount, SeatSupply } from './admission-settings.ts';
import type { Instant, PartitionCheckpoint, QueueStats, WaitingRoomStore } from './waiting-room.store.ts';

export interface CampaignQueue {
  readonly campaignId: string;
  /** The opening instant by server time, epoch ms. */
  readonly opensAtMs: number;
  /** Partitions of the queue (each one hash tag, so one cluster slot); fixed for the campaign's life. */
  readonly partitions: number;
}

export interface WaitingRoomSettings {
  /** After the cursor reaches a person, how long they may come back and be admitted (ms). */
  readonly graceMs: number;
  readonly admissionTtlMs: number;
  /** How long other devices are refused after one is turned away (ms); Korea used 10 min. */
  readonly lockoutMs: number;
  readonly ticketMaxAgeMs: number;
  readonly minPollMs: number;
  readonly maxPollMs: number;
  readonly pollFraction: number;
  /** Snapshot refreshes kept for the measured rate (≈ seconds at one refresh per second). */
  readonly rateWindowSamples: number;
  readonly checkpointEveryMs: number;
  /** Most admissions ended per partition per tick. */
  readonly expireBatch: number;
  /** How often a refresh re-reads the seats left (ms): a query on the booking side, so not every second. */
  readonly seatsEveryMs: number;
  /**
   * Joins one identity may make per window in one campaign, counted by the store in the join itself
   * (no round trip of its own); over it a join is refused 'too-many-joins' and its place is kept.
   */
  readonly joinLimit: { readonly maxPerWindow: number; readonly windowMs: number };
}

export const defaultWaitingRoomSettings: WaitingRoomSettings = Object.freeze({
  graceMs: 5 * 60_000,
  admissionTtlMs: 10 * 60_000,
  lockoutMs: 10 * 60_000,
  ticketMaxAgeMs: 24 * 3_600_000,
  minPollMs: 1_000,
  maxPollMs: 10_000,
  pollFraction: 0.25,
  rateWindowSamples: 60,
  checkpointEveryMs: 1_000,
  expireBatch: 500,
  seatsEveryMs: 5_000,
  joinLimit: Object.freeze({ maxPerWindow: 10, windowMs: 60_000 }),
});

export interface RoomContext {
  readonly clock: Clock;
  readonly store: WaitingRoomStore;
  readonly checkpoint: WaitingRoomCheckpoint;
  readonly settings: WaitingRoomSettings;
  /** Seats left per campaign (booking side); absent: admission is not limited by seats. */
  readonly seats?: SeatSupply;
}

export interface Room {
  cfg: CampaignQueue;
  snapshot: RoomSnapshot | null;
  /** The room's steady admission rate: every partition's cursor summed, while the cap held it (snapshot.ts). */
  readonly meter: AdmissionMeter;
  readonly controller: AdmissionController;
  carry: number[];
  lastCheckpointMs: number;
  recovering: Promise<void> | null;
  /** The operator's admission settings as last read from the store (null: none set). */
  admission: AdmissionSettings | null;
  /** Seats left as last read, and when (null: never read, or seats are not limited). */
  seats: (SeatCount & { readonly readAtMs: number }) | null;
  /** The room's active sessions and claims when the seats were last read (`seatsLeftNow`). */
  seatsBase: { readonly active: number; readonly claimedTotal: number } | null;
  /** Phone-lane admissions not yet taken off the queue's allowance (the next tick takes them). */
  laneAdmittedPending: number;
  /** The measured steady rate when its window first filled after the opening (`markSteady`), or null. */
  steadySince: SteadyMark | null;
}

export function newRoom(cfg: CampaignQueue, controller: AdmissionController, settings: WaitingRoomSettings): Room {
  if (!Number.isInteger(cfg.partitions) || cfg.partitions < 1) throw new Error(`bad partition count ${cfg.partitions}`);
  return {
    cfg,
    snapshot: null,
    controller,
    carry: Array.from({ length: cfg.partitions }, () => 0),
    meter: createAdmissionMeter(settings.rateWindowSamples),
    lastCheckpointMs: Number.NEGATIVE_INFINITY,
    recovering: null,
    admission: null,
    seats: null,
    seatsBase: null,
    laneAdmittedPending: 0,
    steadySince: null,
  };
}

export const refOf = (room: Room, partition: number): QueueRef => ({ campaignId: room.cfg.campaignId, partition });
export const instant = (ctx: RoomContext, room: Room): Instant => ({
  nowMs: ctx.clock.nowMs(),
  opensAtMs: room.cfg.opensAtMs,
});

/** Restore every lost partition from the checkpoint; a partition never checkpointed starts empty. */
async function recover(ctx: RoomContext, room: Room): Promise<void> {
  const saved = await ctx.checkpoint.load(room.cfg.campaignId);
  for (let p = 0; p < room.cfg.partitions; p += 1) {
    const cp = saved?.find((c) => c.partition === p);
    if (cp) await ctx.store.restoreFrom(refOf(room, p), cp, instant(ctx, room));
    else await ctx.store.openQueue(refOf(room, p));
  }
}

/**
 * Run a store operation; on 'missing-state' recover the room (single flight) and run it once more.
 * A second 'missing-state' is unexpected (Redis flapping) and thrown.
 */
export async function withRecovery<T, R extends string>(
  ctx: RoomContext,
  room: Room,
  op: () => Promise<Result<T, R | 'missing-state'>>,
): Promise<Result<T, Exclude<R, 'missing-state'>>> {
  const first = await op();
  if (first.ok || first.reason !== 'missing-state') return first as Result<T, Exclude<R, 'missing-state'>>;
  room.recovering ??= recover(ctx, room).finally(() => {
    room.recovering = null;
  });
  await room.recovering;
  const second = await op();
  if (!second.ok && second.reason === 'missing-state')
    throw new Error(`waiting room ${room.cfg.campaignId}: state missing after recovery`);
  return second as Result<T, Exclude<R, 'missing-state'>>;
}

export async function partitionStats(ctx: RoomContext, room: Room): Promise<QueueStats[]> {
  const all: QueueStats[] = [];
  for (let p = 0; p < room.cfg.partitions; p += 1) {
    const r = await withRecovery(ctx, room, () => ctx.store.stats(refOf(room, p), instant(ctx, room)));
    if (!r.ok) throw new Error('unreachable');
    all.push(r.value);
  }
  return all;
}

/**
 * How long the slow end of an ETA lets the controller hold its rate before it climbs, while it awaits
 * its first booking signal: the first people let in claim within a look or two and reach the booking
 * path seconds later, and the controller adjusts every 2 s (2021-07-19 at 1/100: 8 s after the opening).
 */
export const AWAIT_SIGNAL_HOLD_SECONDS = 10;

/**
 * The rate an estimate starts from before (and while) one is measured: pinned by an operator, else
 * planned by one, else the controller's own rate (what it is admitting at).
 */
export function plannedRateOf(room: Room): number {
  const c = room.controller.state();
  return c.pinnedRatePerSec ?? room.admission?.plannedRatePerSec ?? c.ratePerSec;
}

/**
 * The planned steady rate now: the planned turnover curve's value a minute or more after the opening,
 * else the planned rate (`plannedRateOf`). The planned rate the capacity plan gives is the night's mean
 * (its opening rate); a minute in, the curve says where in the night the room is (at 1/50 of
 * 2021-07-19, ETAs shown in minute 1 came out 23 % long with the mean, 15 % with the curve, where the
 * turnover ran at 16/s against a mean of 12/s). Not in the first minute: the model turns sessions over
 * from the moment the cap fills, the room some seconds later, and minute 0's ETAs from the curve's
 * first value came out a sixth short. With it, the curve's shape from now (`turnoverShape`).
 * Both count on the curve's falls only as far as the measured rate has shown them since its window
 * first filled (`markSteady`, `confirmedShare`; before that, `SHAPE_PRIOR_SHARE` of the shape's falls and
 * the curve's level whole): the level is the curve then plus that share of its fall since, the shape
 * that share of each fall ahead.
 */
export function plannedSteadyOf(
  room: Room,
  atMs: number,
  measured: RateBand | null = null,
  windowSamples = 60,
): { perSec: number; isFromCurve: boolean; shape: number[] | null } {
  const curve = room.admission?.plannedTurnoverPerSec;
  const minutes = (atMs - room.cfg.opensAtMs) / 60_000;
  // A pinned rate is the rate: no curve, no shape.
  if (room.controller.state().pinnedRatePerSec !== null || !curve || curve.length === 0)
    return { perSec: plannedRateOf(room), isFromCurve: false, shape: null };
  // Only the part of the plan's fall the measured rate has shown is counted on (`confirmedShare`).
  const since = room.steadySince;
  const share =
    since && measured && measured.meanPerSec > 0
      ? confirmedShare(curve, since, { minutes, meanPerSec: measured.meanPerSec }, windowSamples / 60)
      : SHAPE_PRIOR_SHARE;
  const shape = confirmShape(turnoverShape(curve, minutes), share);
  return minutes < 1
    ? { perSec: plannedRateOf(room), isFromCurve: false, shape }
    : {
        perSec: since ? confirmedCurveAt(curve, minutes, since.minutes, share) : curveAt(curve, minutes),
        isFromCurve: true,
        shape,
      };
}

/**
 * Marks the measured steady rate when its window first fills a minute or more after the opening: the
 * start of the span over which the plan's turnover fall is judged (`confirmedShare`).
 */
export function markSteady(room: Room, atMs: number, measured: RateBand | null, windowSamples: number): void {
  const minutes = (atMs - room.cfg.opensAtMs) / 60_000;
  if (room.steadySince || !measured || measured.samples < windowSamples || minutes < 1 || !(measured.meanPerSec > 0))
    return;
  room.steadySince = { minutes, meanPerSec: measured.meanPerSec };
}

/**
 * Seats left, re-read at most every `seatsEveryMs`; a failed read keeps the last count. The room's
 * sessions and claims (read just before) are noted with it, for `seatsLeftNow`. A count read
 * earlier (by another process: shared-seat-supply.ts) comes with its own time and sessions and
 * claims, and is re-read when it is `seatsEveryMs` old.
 */
async function refreshSeats(
  ctx: RoomContext,
  room: Room,
  nowMs: number,
  base: NonNullable<Room['seatsBase']>,
): Promise<void> {
  if (!ctx.seats || (room.seats && nowMs - room.seats.readAtMs < ctx.settings.seatsEveryMs)) return;
  const count = await ctx.seats.seatsOf(room.cfg.campaignId, { atMs: nowMs, base }).catch(() => undefined);
  if (count === undefined) return;
  room.seats = count && { ...count, readAtMs: count.countedAt?.atMs ?? nowMs };
  room.seatsBase = count?.countedAt?.base ?? base;
}

/**
 * The seats left now, from the count read up to `seatsEveryMs` ago: less a seat for every claim
 * since (each new session may book one), while bookings since come out of sessions already counted
 * (a booking takes a seat and ends a session). Sessions that ended without booking since are seen at
 * the next read: until then the count errs toward fewer seats. Counted from the read alone, seats
 * that new sessions had taken since looked free: in the 2021-07-19 replay at 1/100 (T+43) the first
 * in line was shown an entry within a second while every seat left was held, and waited 3 min.
 */
export function seatsLeftNow(room: Room, active: number, claimedTotal: number): number | null {
  if (!room.seats) return null;
  const base = room.seatsBase;
  if (!base) return room.seats.seatsLeft;
  return Math.max(0, room.seats.seatsLeft - base.active - Math.max(0, claimedTotal - base.claimedTotal) + active);
}

/**
 * Re-read the counters, the operator's settings and (every few seconds) the seats left, and feed the
 * room's rate meter. Called about once a second on every server. Seconds under an operator pause are not
 * rate samples, nor are seconds the session cap did not hold (the controller was filling free
 * headroom); the published rate band blends the measured steady rate with the planned rate and
 * carries the free headroom, which the next places pass at the controller's rate (snapshot.ts
 * `secondsToPass`).
 */
export async function refreshRoom(ctx: RoomContext, room: Room): Promise<RoomSnapshot> {
  const stats = await partitionStats(ctx, room);
  room.admission = (await ctx.store.readAdmissionSettings(room.cfg.campaignId)) ?? room.admission;
  const atMs = ctx.clock.nowMs();
  const active = stats.reduce((n, s) => n + s.activeSessions, 0);
  const claimedTotal = stats.reduce((n, s) => n + s.claimedTotal, 0);
  await refreshSeats(ctx, room, atMs, { active, claimedTotal });
  const isPaused = room.controller.state().isPaused;
  // Not rate samples: before the opening, under an operator pause, or with no seats left to admit to.
  const isIdle = isPaused || atMs < room.cfg.opensAtMs || room.seats?.seatsLeft === 0;
  const planned = plannedRateOf(room);
  const controllerRate = room.controller.state().ratePerSec;
  const { activeSessionCap, pendingClaims } = room.controller.capacity();
  const headroom = Math.max(0, activeSessionCap - active - pendingClaims);
  // One meter for the room (cursors summed), shared out by what each partition holds waiting.
  room.meter.observe({
    atMs,
    cursor: stats.reduce((n, s) => n + s.cursor, 0),
    headroom,
    controllerRatePerSec: controllerRate,
    isIdle,
  });
  // The queue, not admission, is the limit when it would clear within a second at the controller's rate.
  // And the session cap has room for everyone waiting: a full cap lets the next place in only as sessions
  // end (at 1/100 of 2021-07-19 the queue drained at T+14 min with 990 of 1,000 sessions active, and
  // newcomers at the front shown the controller's 50/s waited for the turnover).
  const waitingNow = stats.reduce((n, s) => n + s.waiting, 0);
  const isQueueBound = !isIdle && waitingNow <= controllerRate && waitingNow <= headroom;
  // The headroom holds before the opening too: the first polls after it are answered from the last refresh before.
  const rampPerSec = headroom > 0 ? headroom / room.controller.secondsToAdmit(headroom) : controllerRate;
  const free = estimateHeadroom(
    headroom,
    room.meter.free(),
    {
      nowPerSec: controllerRate,
      rampPerSec,
      ...(headroom > 0 && room.controller.isAwaitingSignal()
        ? {
            heldRampPerSec: headroom / room.controller.secondsToAdmit(headroom, AWAIT_SIGNAL_HOLD_SECONDS),
            heldSeconds: AWAIT_SIGNAL_HOLD_SECONDS,
          }
        : {}),
    },
    planned,
  );
  // The measured part of the steady rate follows the planned turnover's shape over a wait.
  const measuredSteady = room.meter.steady();
  if (!isIdle) markSteady(room, atMs, measuredSteady, ctx.settings.rateWindowSamples);
  const plannedSteady = plannedSteadyOf(room, atMs, measuredSteady, ctx.settings.rateWindowSamples);
  const shape = estimateShape(
    plannedSteady.shape,
    measuredSteady,
    plannedSteady.perSec,
    ctx.settings.rateWindowSamples,
    plannedSteady.isFromCurve,
  );
  const steady = withShape(estimateRate(measuredSteady, plannedSteady.perSec), shape);
  const roomRate = withHeadroom(steady, free);
  const partitions = stats.map((s, p) => {
    const share = partitionShare(1, stats, p);
    const rate = scaleBand(roomRate, share);
    return { stats: s, rate: isQueueBound ? atLeastRate(rate, controllerRate) : rate };
  });
  const seatsLeft = seatsLeftNow(room, active, claimedTotal);
  const seatsOpen = seatsLeft === null ? null : Math.max(0, seatsLeft - active - pendingClaims);
  room.snapshot = { atMs, partitions, isPaused, seatsOpen, admittedPerSec: room.meter.admittedPerSec() };
  return room.snapshot;
}

/** Save every partition's counters (the checkpoint merges with max, so a late write is harmless). */
export async function checkpointRoom(ctx: RoomContext, room: Room): Promise<readonly PartitionCheckpoint[]> {
  const stats = await partitionStats(ctx, room);
  const savedAtMs = ctx.clock.nowMs();
  const cps = stats.map((s, partition) => ({
    partition,
    cursor: s.cursor,
    tail: s.tail,
    frozen: s.frozen,
    preRoom: s.preRoom,
    claimedTotal: s.claimedTotal,
    graceFloor: s.graceFloor,
    savedAtMs,
  }));
  await ctx.checkpoint.save(room.cfg.campaignId, cps);
  room.lastCheckpointMs = savedAtMs;
  return cps;
}
