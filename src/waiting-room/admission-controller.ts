/**
 * Decides how many people to admit on each tick: min(rate·dt − phone-lane admissions, cap −
 * activeSessions − pendingClaims, waiting). Pure apart from its own state; time comes from the injected clock.
 *
 * The rate follows the booking path (AIMD, as TCP does with a congested link): every `adjustEveryMs`,
 * if the booking path's p99 latency is above target or its error rate above the limit, the rate is
 * multiplied by `decreaseFactor`; otherwise, if the rate was what held admissions back, it grows by
 * `increasePerSec`. With no booking traffic observed (health null) it holds. An operator may pause,
 * resume, or pin the rate (pinned: no adaptation, and the session limit below returns to the cap).
 *
 * A slow path is not a failing one. The booking path's load is the people in session, and a
 * session lasts minutes, so a cut in the rate shows in the latency only as sessions end: cut after
 * cut on a latency that still reflected the people let in before drove the rate to its floor while
 * bookings flowed, the sessions drained, the path went idle, and the climb back took a minute (the
 * full-scale replay of 2026-11-30 swung between 5/s and ~450/s every minute). So the load itself is
 * limited, as TCP limits its window rather than its send rate: `sessionLimit` (at most
 * `activeSessionCap`) is cut to `sessionLimitCut` × the people in session and on their way when the
 * latency is over target, at most once per `signalWindowMs` (the booking-path monitor's window: a
 * second cut within it would act on latencies of the load before the first), and grows by
 * `sessionLimitStep` of itself (at least 10) each adjustment while it is what holds people back and
 * the path is healthy. Admission then replaces the sessions that end, and bookings keep flowing at
 * the load the path can take. A latency cut of the rate never takes it below `decreaseFactor` × the
 * sessions ending per second over the last `signalWindowMs`. Server errors above the limit are a
 * failing path: that cut of the rate has no such floor.
 *
 * pendingClaims: people the cursor reached in the last `claimWindowMs` who have not claimed yet are
 * about to become active sessions (they poll every 1-2 s near the front); counting them keeps the
 * cap honest. Estimated as max(0, seqs advanced in the window − claims in the window). People who
 * come back later within their grace period are admitted at once and may briefly exceed the cap;
 * that excess is bounded by the no-show rate and the grace period.
 */
import type { Clock } from '../platform/clock.ts';

export interface AdmissionControllerSettings {
  readonly initialRatePerSec: number;
  readonly minRatePerSec: number;
  readonly maxRatePerSec: number;
  /** Most concurrently active booking sessions. */
  readonly activeSessionCap: number;
  readonly targetP99Ms: number;
  /** 0..1 */
  readonly maxErrorRate: number;
  /** Additive increase per adjustment, admissions/s. */
  readonly increasePerSec: number;
  /** Multiplicative decrease, 0 < f < 1. */
  readonly decreaseFactor: number;
  readonly adjustEveryMs: number;
  readonly claimWindowMs: number;
  /** A tick after a longer stall admits at most this much time's worth (ms), so a stall never bursts. */
  readonly maxTickGapMs: number;
  /**
   * The booking-path monitor's window (ms): the session limit is cut at most once per window, and
   * the sessions ending per second (the floor of a latency cut of the rate) are measured over it.
   */
  readonly signalWindowMs: number;
  /** A latency cut sets the session limit to this share of the people in session and on their way. */
  readonly sessionLimitCut: number;
  /** Share of itself the session limit grows by per adjustment while it holds people back (at least 10). */
  readonly sessionLimitStep: number;
  /**
   * The session limit never goes below this share of `activeSessionCap`: a path slowed by something
   * other than its load (a neighbour on the machine, a slow disk) must not cut admission to nothing,
   * as the rate's floor (`minRatePerSec`) never did.
   */
  readonly minSessionLimitShare: number;
}

export const defaultControllerSettings: AdmissionControllerSettings = Object.freeze({
  initialRatePerSec: 100,
  minRatePerSec: 5,
  maxRatePerSec: 5_000,
  activeSessionCap: 5_000,
  targetP99Ms: 800,
  maxErrorRate: 0.02,
  increasePerSec: 25,
  decreaseFactor: 0.7,
  adjustEveryMs: 2_000,
  claimWindowMs: 4_000,
  maxTickGapMs: 2_000,
  signalWindowMs: 10_000,
  sessionLimitCut: 0.9,
  sessionLimitStep: 0.01,
  minSessionLimitShare: 0.1,
});

/** What the booking path showed over the last window; null fields mean no traffic was observed. */
export interface BookingHealth {
  readonly p99Ms: number | null;
  readonly errorRate: number | null;
}

export interface TickInput {
  readonly activeSessions: number;
  readonly claimedTotal: number;
  /** Places not yet reached, over all partitions. */
  readonly waiting: number;
  readonly health: BookingHealth;
  /**
   * Seats the campaign can still book (free first-dose seats), or null/absent when not limited.
   * Nobody is admitted beyond the seats left minus the sessions already booking and the claims on
   * their way: at zero, admission stops ('sold-out') until seats come back.
   */
  readonly seatsLeft?: number | null;
  /**
   * Callers admitted through the phone lane since the previous tick (agent-lane.ts). They count
   * against the same rate: the queue's allowance is reduced by them, carried as a debt over ticks
   * when they exceed one tick's allowance, so lane and queue together admit at the rate.
   */
  readonly laneAdmitted?: number;
}

export type Limit = 'paused' | 'cap' | 'rate' | 'queue-empty' | 'sold-out';
export type Adjustment = 'increase' | 'decrease' | 'hold' | 'pinned';

export interface TickDecision {
  readonly admit: number;
  readonly ratePerSec: number;
  readonly limitedBy: Limit;
  readonly pendingClaims: number;
  readonly adjustment: Adjustment | null;
  /**
   * Sessions that ended per second over the last `signalWindowMs` (claims minus the growth of the
   * active sessions), or null until the window spans `adjustEveryMs`.
   */
  readonly sessionsEndingPerSec: number | null;
  /** The session limit this tick admitted under (see the header). */
  readonly sessionLimit: number;
}

export interface ControllerState {
  readonly ratePerSec: number;
  /** Most people in session now: `activeSessionCap`, or less after the booking path was slow. */
  readonly sessionLimit: number;
  readonly isPaused: boolean;
  readonly pinnedRatePerSec: number | null;
}

export interface AdmissionController {
  tick(input: TickInput): TickDecision;
  /** The store admitted fewer than decided (e.g. a partition ran out): keeps the window accurate. */
  settle(actuallyAdmitted: number): void;
  pause(): void;
  resume(): void;
  /** Pin the rate (admissions/s), or null to return to adaptation from the pinned value. */
  pinRate(ratePerSec: number | null): void;
  state(): ControllerState;
  /**
   * The session limit now (`activeSessionCap` until the booking path is slow) as `activeSessionCap`,
   * and the claims on their way at the last tick (0 before any tick, and on a server that does not
   * lead admission): with the active sessions, the headroom the limit leaves.
   */
  capacity(): { readonly activeSessionCap: number; readonly pendingClaims: number };
  /**
   * Seconds this controller takes to admit `places` if nothing else holds it (`rampSeconds`): what
   * the free session headroom passes at; at an opening the rate climbs from its start long before
   * the headroom is gone. At its rate now, without a climb, when pinned or when its last change was
   * a decrease. `holdSeconds`: the rate held that long before the climb begins.
   */
  secondsToAdmit(places: number, holdSeconds?: number): number;
  /**
   * No booking traffic seen yet (every adjustment so far found no health signal): the rate holds
   * where it is until the first people let in reach the booking path, so a climb is not yet sure.
   */
  isAwaitingSignal(): boolean;
}

/**
 * Seconds to admit `places` from `ratePerSec`, raised by `increasePerSec` every `adjustEveryMs` up
 * to `maxRatePerSec`: what the controller does while its rate is what holds admission back and the
 * booking path keeps up. `isHeld` (pinned, or just decreased): the rate now throughout. `holdSeconds`:
 * the rate now for that long before the climb begins. Infinity at a rate of 0.
 */
export function rampSeconds(
  places: number,
  ratePerSec: number,
  s: Pick<AdmissionControllerSettings, 'increasePerSec' | 'adjustEveryMs' | 'maxRatePerSec'>,
  isHeld = false,
  holdSeconds = 0,
): number {
  if (places <= 0) return 0;
  const period = s.adjustEveryMs / 1000;
  const top = isHeld ? ratePerSec : Math.max(ratePerSec, s.maxRatePerSec);
  const hold = isHeld ? 0 : Math.max(0, holdSeconds);
  if (ratePerSec > 0 && places <= ratePerSec * hold) return places / ratePerSec;
  let rate = ratePerSec;
  let left = places - ratePerSec * hold;
  let seconds = hold;
  while (rate < top && s.increasePerSec > 0 && period > 0 && left > rate * period) {
    left -= rate * period;
    seconds += period;
    rate = Math.min(top, rate + s.increasePerSec);
  }
  return rate > 0 ? seconds + left / rate : Number.POSITIVE_INFINITY;
}

export function createAdmissionController(deps: {
  clock: Clock;
  settings?: Partial<AdmissionControllerSettings>;
}): AdmissionController {
  const s = { ...defaultControllerSettings, ...deps.settings };
  const clamp = (r: number) => Math.min(s.maxRatePerSec, Math.max(s.minRatePerSec, r));
  let rate = clamp(s.initialRatePerSec);
  let carry = 0;
  let isPaused = false;
  let pinned: number | null = null;
  let lastTickMs: number | null = null;
  let lastAdjustMs = deps.clock.nowMs();
  let rateWasBinding = false;
  let lastPending = 0;
  let lastChange: 'increase' | 'decrease' | null = null;
  let hasSignal = false;
  let sessionLimit = s.activeSessionCap;
  const minSessionLimit = Math.max(1, Math.ceil(s.activeSessionCap * s.minSessionLimitShare));
  let lastLimitCutMs = Number.NEGATIVE_INFINITY;
  let limitWasBinding = false;
  const recent: { atMs: number; admitted: number; claimedBefore: number }[] = [];
  const sessions: { atMs: number; claimedTotal: number; activeSessions: number }[] = [];

  /** `load`: the people in session and on their way now; `endingPerSec`: sessions ending per second. */
  function adjust(now: number, health: BookingHealth, load: number, endingPerSec: number | null): Adjustment | null {
    if (pinned !== null) return 'pinned';
    if (now - lastAdjustMs < s.adjustEveryMs) return null;
    lastAdjustMs = now;
    const binding = rateWasBinding;
    const isLimitBinding = limitWasBinding;
    rateWasBinding = false;
    limitWasBinding = false;
    if (health.p99Ms !== null || health.errorRate !== null) hasSignal = true;
    const isFailing = health.errorRate !== null && health.errorRate > s.maxErrorRate;
    const isSlow = health.p99Ms !== null && health.p99Ms > s.targetP99Ms;
    if (isSlow && now - lastLimitCutMs >= s.signalWindowMs) {
      sessionLimit = Math.max(minSessionLimit, Math.floor(Math.min(sessionLimit, load) * s.sessionLimitCut));
      lastLimitCutMs = now;
    } else if (!isSlow && !isFailing && health.p99Ms !== null && isLimitBinding) {
      sessionLimit = Math.min(
        s.activeSessionCap,
        Math.floor(sessionLimit + Math.max(10, sessionLimit * s.sessionLimitStep)),
      );
    }
    if (isFailing || isSlow) {
      // A slow path that still books keeps a share of its turnover (see the header); never a rise.
      const floor = isFailing ? 0 : s.decreaseFactor * (endingPerSec ?? 0);
      const next = clamp(Math.min(rate, Math.max(rate * s.decreaseFactor, floor)));
      const isCut = next < rate;
      rate = next;
      if (!isCut) return 'hold';
      lastChange = 'decrease';
      return 'decrease';
    }
    if (health.p99Ms === null && health.errorRate === null) return 'hold';
    if (!binding) return 'hold';
    rate = clamp(rate + s.increasePerSec);
    lastChange = 'increase';
    return 'increase';
  }

  /** Sessions ended per second over the window: claims in it minus the growth of the active sessions. */
  function sessionsEnding(now: number, claimedTotal: number, activeSessions: number): number | null {
    sessions.push({ atMs: now, claimedTotal, activeSessions });
    while (sessions.length > 1 && sessions[1]!.atMs <= now - s.signalWindowMs) sessions.shift();
    const first = sessions[0]!;
    const spanMs = now - first.atMs;
    if (spanMs < s.adjustEveryMs) return null;
    const ended = claimedTotal - first.claimedTotal - (activeSessions - first.activeSessions);
    return Math.max(0, ended) / (spanMs / 1000);
  }

  function pendingClaims(now: number, claimedTotal: number): number {
    while (recent.length > 0 && recent[0]!.atMs < now - s.claimWindowMs) recent.shift();
    if (recent.length === 0) return 0;
    const advanced = recent.reduce((sum, r) => sum + r.admitted, 0);
    return Math.max(0, advanced - (claimedTotal - recent[0]!.claimedBefore));
  }

  return {
    tick(input) {
      const now = deps.clock.nowMs();
      const dtMs = lastTickMs === null ? 0 : Math.min(Math.max(0, now - lastTickMs), s.maxTickGapMs);
      lastTickMs = now;
      const endingPerSec = sessionsEnding(now, input.claimedTotal, input.activeSessions);
      const pending = pendingClaims(now, input.claimedTotal);
      lastPending = pending;
      const adjustment = adjust(now, input.health, input.activeSessions + pending, endingPerSec);
      if (isPaused) {
        carry = 0;
        return {
          admit: 0,
          ratePerSec: rate,
          limitedBy: 'paused',
          pendingClaims: pending,
          adjustment,
          sessionsEndingPerSec: endingPerSec,
          sessionLimit,
        };
      }
      const allowance = (rate * dtMs) / 1000 + carry - Math.max(0, input.laneAdmitted ?? 0);
      const byRate = Math.max(0, Math.floor(allowance));
      const room = Math.max(0, sessionLimit - input.activeSessions - pending);
      const seats =
        input.seatsLeft === null || input.seatsLeft === undefined
          ? Number.POSITIVE_INFINITY
          : Math.max(0, input.seatsLeft - input.activeSessions - pending);
      const admit = Math.min(byRate, room, seats, input.waiting);
      const limitedBy: Limit =
        seats <= admit && seats < byRate && seats < input.waiting
          ? 'sold-out'
          : admit === byRate
            ? 'rate'
            : admit === room
              ? 'cap'
              : 'queue-empty';
      if (limitedBy === 'rate' && input.waiting > admit) rateWasBinding = true;
      if (limitedBy === 'cap' && input.waiting > admit) limitWasBinding = true;
      carry = Math.min(allowance - admit, 1);
      recent.push({ atMs: now, admitted: admit, claimedBefore: input.claimedTotal });
      return {
        admit,
        ratePerSec: rate,
        limitedBy,
        pendingClaims: pending,
        adjustment,
        sessionsEndingPerSec: endingPerSec,
        sessionLimit,
      };
    },
    settle(actuallyAdmitted) {
      const last = recent[recent.length - 1];
      if (last) last.admitted = Math.min(last.admitted, Math.max(0, actuallyAdmitted));
    },
    pause() {
      isPaused = true;
    },
    resume() {
      isPaused = false;
    },
    pinRate(ratePerSec) {
      pinned = ratePerSec === null ? null : Math.max(0, ratePerSec);
      // The operator takes over: no adaptation, so no session limit left over from it either.
      if (pinned !== null) {
        rate = pinned;
        sessionLimit = s.activeSessionCap;
      }
    },
    state: () => ({ ratePerSec: rate, sessionLimit, isPaused, pinnedRatePerSec: pinned }),
    capacity: () => ({ activeSessionCap: sessionLimit, pendingClaims: lastPending }),
    // After a decrease the booking path was struggling: the rate now, not a climb, is the estimate.
    secondsToAdmit: (places, holdSeconds = 0) =>
      rampSeconds(places, rate, s, pinned !== null || lastChange === 'decrease', holdSeconds),
    isAwaitingSignal: () => pinned === null && !hasSignal,
  };
}
