/**
 * What every server holds in memory to answer polls without Redis: each partition's counters,
 * refreshed about once a second, and the admission rate measured from how fast the cursor moved.
 * The answer is the same for everyone in the same second, so it also caches well at a CDN.
 *
 * ETA (issue 14 item 5): someone with `ahead` places before them is admitted when the cursor has
 * moved k = `ahead + 1` places. The cursor moves at two rates: while the active-session cap has
 * room (headroom H), at the controller's rate R; once it is full, at the session turnover S. So k
 * places pass in max(k / R, (k − H) / S) (`secondsToPass`): at the 2021-07-19 opening at 1/500 the
 * controller admitted 5/s until the cap (200) filled, then about 3/s, where one rate (the plan's
 * 2/s, or a window holding the fill's 5/s) missed by up to 85 %. Both rates are measured over the
 * whole room (every partition's cursor summed, over the last `windowSamples` refreshes), S in
 * seconds the cap held and R in the others (`createAdmissionMeter`), and shared out to a partition
 * by what it holds waiting: a partition alone moves a few places a second at small scales, and its
 * per-second counts are mostly noise.
 *
 * The band says how far that rate may be from the rate the wait will actually see, not the spread
 * of one-second counts (which at a few admissions a second always held a zero, so the band had no
 * upper end at all). From a measurement: the fast end is mean × (1 + d), the slow end
 * mean / (1 + d + MEASURED_SLOW_EXTRA), d = MEASURED_DRIFT + cv/√n (cv: the spread of the
 * per-second rates over their mean, n: samples): the rate drifts over a wait (in the 2021-07-19
 * replay it fell from about 3/s to 1.6/s over ten minutes as admissions that never booked held
 * their session until they expired), and more often down than up.
 *
 * Planned rate: from the first second the steady rate S starts from the admission rate the operator
 * planned (or pinned, or the controller's own rate), with a wide band (PLAN_LOW_FACTOR ..
 * PLAN_HIGH_FACTOR: a third to double the wait), and R from the rate the controller will admit the
 * headroom at as it raises its rate (`estimateHeadroom`); the ETA says it is an estimate while the
 * rate that decides it is not yet mostly measured. The measured rate takes over sample by sample
 * (`estimateRate`: weight n / (n + PLAN_HALF_WEIGHT_SAMPLES)), so the shown ETA blends rather than
 * jumps. The plan keeps a fifth to a quarter of S's weight once the window is full: it was made
 * for the whole night, the window sees one minute (R's prior is the controller's own climb, not the
 * plan: the controller is what admits). Seconds during an operator pause are not measured: a pause
 * says nothing about the rate admission runs at once resumed (after a 2-minute pause 16 min were
 * shown for a 66 s wait, because the window's mean held the paused zeros). Paused, sold out, or
 * behind the seats that sessions already hold (`isSeatBound`), no ETA is shown at all
 * (waiting-room.service.ts).
 */
import { PRE_SCORE_RANGE, type QueueStats } from './waiting-room.store.ts';

export interface RateBand {
  /** Seqs reached per second, mean over the window. */
  readonly meanPerSec: number;
  /** The slow end of the rate the wait may see (named for the percentile it once was). */
  readonly p10PerSec: number;
  /** The fast end of the rate the wait may see. */
  readonly p90PerSec: number;
  readonly samples: number;
  /**
   * 0..1: how much of this band is measured; the rest is the planned rate. 1 (or absent) when
   * measured only, 0 when there is no measurement yet.
   */
  readonly measuredShare?: number;
  /**
   * The free active-session headroom (absent: none, or not known): the next `places` may pass at
   * its own rate (the controller's) before the session cap holds the cursor to this band's rate.
   */
  readonly headroom?: Headroom;
  /**
   * The steady rate in each coming minute as a factor of its rate now (factor k: minute k from now),
   * from the turnover the operator planned (`turnoverShape`); beyond the last, the last holds.
   * Absent: the rate now lasts.
   */
  readonly shape?: readonly number[];
}

/**
 * Places the active-session cap still lets in at once, and the rate band they pass at: the
 * cursor's rate in seconds the cap did not hold (the controller's), blended with the rate the
 * controller is set to until measured.
 */
export interface Headroom {
  readonly places: number;
  readonly meanPerSec: number;
  readonly p10PerSec: number;
  readonly p90PerSec: number;
  /** 0..1: how much of the headroom's rate is measured (absent: all of it). */
  readonly measuredShare?: number;
  /**
   * The controller's hold, at the slow end (absent: none). Awaiting its first booking signal it keeps
   * `perSec` for `seconds` before it climbs; the slow end's rate is the whole headroom's over the hold
   * and the climb, but the places that pass during the hold pass at `perSec` (`headroomSeconds`).
   */
  readonly hold?: HeadroomHold;
}

export interface HeadroomHold {
  readonly seconds: number;
  readonly perSec: number;
}

export interface EtaBand {
  readonly expectedMs: number;
  readonly lowMs: number;
  /** null: the slow end of the rate is zero, so no honest upper bound exists. */
  readonly highMs: number | null;
  readonly ratePerSec: number;
  /** true while the estimate rests mostly on the planned rate (under half measured). */
  readonly isFromPlan: boolean;
}

export interface PollSettings {
  readonly minPollMs: number;
  readonly maxPollMs: number;
  /** Next poll after this fraction of the optimistic ETA (clamped to min..max). */
  readonly pollFraction: number;
}

export interface RateMeter {
  /**
   * Record the partition's cursor at a refresh. A cursor that went down (a restore) restarts the
   * meter. `isPaused`: admission was paused by an operator, so this second is not a rate sample.
   */
  observe(atMs: number, cursor: number, isPaused?: boolean): void;
  band(): RateBand | null;
}

export function createRateMeter(windowSamples: number): RateMeter {
  let last: { atMs: number; cursor: number } | null = null;
  const rates: number[] = [];
  return {
    observe(atMs, cursor, isPaused = false) {
      if (last && cursor < last.cursor) rates.length = 0;
      if (last && !isPaused && cursor >= last.cursor && atMs > last.atMs) {
        rates.push(((cursor - last.cursor) * 1000) / (atMs - last.atMs));
        if (rates.length > windowSamples) rates.shift();
      }
      if (!last || atMs > last.atMs || cursor < last.cursor) last = { atMs, cursor };
    },
    band() {
      if (rates.length === 0) return null;
      const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
      return measuredBand(mean, rates);
    },
  };
}

export interface AdmissionMeter {
  /**
   * Record the room's cursor (every partition's, summed) at a refresh, with the free session
   * headroom then (cap − active sessions − claims on their way) and the controller's rate. The
   * second that follows is a sample of the steady rate only if the cap held it: it began with less
   * headroom than a second's admissions at the controller's rate. A second with headroom to spare
   * measures how fast the controller fills it, which says nothing of the turnover that will follow
   * (at the 2021-07-19 opening at 1/500: 5/s while the cap filled, then about 2/s). `isIdle`: paused,
   * before the opening or sold out, so no sample at all.
   */
  observe(o: { atMs: number; cursor: number; headroom: number; controllerRatePerSec: number; isIdle?: boolean }): void;
  /** The measured steady rate (the cursor while the cap held it), or null before the cap has held. */
  steady(): RateBand | null;
  /** The measured rate with headroom to spare (the controller's, or the arrivals'), or null. */
  free(): RateBand | null;
  /**
   * Places the cursor passed per second over the last `ADMITTED_WINDOW_SAMPLES` refreshes, idle
   * seconds included (0 before the opening and under a pause): what the console shows as admitted
   * per second. 0 before two refreshes.
   */
  admittedPerSec(): number;
}

/** Refreshes (about one a second) the console's admitted-per-second is measured over. */
export const ADMITTED_WINDOW_SAMPLES = 10;

export function createAdmissionMeter(windowSamples: number): AdmissionMeter {
  const steady = createRateMeter(windowSamples);
  const free = createRateMeter(windowSamples);
  const moved = createRateMeter(ADMITTED_WINDOW_SAMPLES);
  let last: { atMs: number; headroom: number; cursor: number } | null = null;
  // Whether the cap, since it last began to hold, has let anyone through: until then every session in
  // it is younger than the shortest session, and the seconds say how young they are, not how fast
  // they turn over (at 1/100 of 2021-07-19 the cursor stood still for 4-5 s after the cap filled,
  // then turned over at about 17/s).
  let hasTurnedOver = false;
  return {
    observe({ atMs, cursor, headroom, controllerRatePerSec, isIdle = false }) {
      const seconds = last ? Math.max(0, atMs - last.atMs) / 1000 : 0;
      const isCapBound = last !== null && last.headroom < controllerRatePerSec * seconds;
      if (!isCapBound) hasTurnedOver = false;
      else if (last && cursor > last.cursor) hasTurnedOver = true;
      steady.observe(atMs, cursor, isIdle || !isCapBound || !hasTurnedOver);
      free.observe(atMs, cursor, isIdle || isCapBound);
      moved.observe(atMs, cursor);
      if (!last || atMs > last.atMs) last = { atMs, headroom, cursor };
    },
    steady: () => steady.band(),
    free: () => free.band(),
    admittedPerSec: () => moved.band()?.meanPerSec ?? 0,
  };
}

/** Added to the measured band's relative width whatever the samples say: the rate drifts over a wait. */
export const MEASURED_DRIFT = 0.3;
/** The slow end is wider: in the replays the rate fell over a wait more often than it rose. */
export const MEASURED_SLOW_EXTRA = 0.2;

/** The band of a measured mean rate from its per-second samples (see the file's comment). */
export function measuredBand(mean: number, rates: readonly number[]): RateBand {
  const n = rates.length;
  const sd = n > 1 ? Math.sqrt(rates.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1)) : mean;
  const d = MEASURED_DRIFT + (mean > 0 ? sd / mean / Math.sqrt(n) : 1);
  return { meanPerSec: mean, p10PerSec: mean / (1 + d + MEASURED_SLOW_EXTRA), p90PerSec: mean * (1 + d), samples: n };
}

/**
 * When the queue, not admission, held the measured rate down (the room would clear within a second
 * at the controller's rate: after the opening's queue has drained, the cursor moves only as fast as
 * people arrive), a newcomer at the front is admitted at the next tick: the rate they see is the
 * controller's, whatever the measurement says.
 */
export function atLeastRate(band: RateBand | null, perSec: number): RateBand | null {
  if (perSec <= 0) return band;
  const own = measuredBand(perSec, [perSec, perSec]); // the controller's own rate: drift only
  if (!band) return { ...own, samples: 0 };
  const lift = <B extends { meanPerSec: number; p10PerSec: number; p90PerSec: number }>(b: B): B => ({
    ...b,
    meanPerSec: Math.max(b.meanPerSec, perSec),
    p10PerSec: Math.max(b.p10PerSec, own.p10PerSec),
    p90PerSec: Math.max(b.p90PerSec, own.p90PerSec),
  });
  return { ...lift(band), ...(band.headroom ? { headroom: lift(band.headroom) } : {}) };
}

/** A band scaled by a share (a partition's part of the room's rate, and of its headroom). */
export function scaleBand(band: RateBand | null, share: number): RateBand | null {
  if (!band) return null;
  const scale = <B extends { meanPerSec: number; p10PerSec: number; p90PerSec: number }>(b: B): B => ({
    ...b,
    meanPerSec: b.meanPerSec * share,
    p10PerSec: b.p10PerSec * share,
    p90PerSec: b.p90PerSec * share,
  });
  const h = band.headroom;
  const hold = h?.hold ? { hold: { ...h.hold, perSec: h.hold.perSec * share } } : {};
  return { ...scale(band), ...(h ? { headroom: { ...scale(h), places: h.places * share, ...hold } } : {}) };
}

/**
 * The headroom's rate band: the measured free-second rate, blended (as `estimateRate` blends the
 * plan) with what the controller will admit the headroom at, before it is measured. That is the
 * controller's, not the plan's: it is what moves the cursor while the cap has room (at 1/100 of
 * 2021-07-19 with the controller held at 5/s, a plan of 10.1/s kept in the blend made every ETA a
 * fifth short). `controller.rampPerSec`: the headroom over the seconds the controller takes to admit
 * it as it raises its rate (`rampSeconds`; its rate now when it cannot rise). At an opening the rate
 * climbs within seconds (at 1/100: 5/s to its ceiling of 50/s in 10 s, the cap of 1,000 full 31 s
 * in), and the rate at the first look (5/s) put places 2,000 back at 6.7 min for a 2-minute wait.
 * The band is the ramp's own drift, the fast end reaching the plan if that is higher. A controller
 * that stops climbing (its last change a decrease: the booking path struggled) gives no ramp, and the
 * band re-centres on its rate now at the next refresh. Until the controller has seen booking traffic
 * it holds its rate, so the slow end (`heldRampPerSec`) climbs only after such a hold: at 1/100 of
 * 2021-07-19 it held 5/s for 8 s after the opening, until the first people let in reached the
 * booking path, and the ETAs shown in those seconds (from the climb) came out up to 3.8× short, 8 %
 * of minute 0's outside their band.
 */
export function estimateHeadroom(
  places: number,
  free: RateBand | null,
  controller: {
    readonly nowPerSec: number;
    readonly rampPerSec?: number;
    readonly heldRampPerSec?: number;
    readonly heldSeconds?: number;
  },
  plannedPerSec: number | null,
  halfWeightSamples = PLAN_HALF_WEIGHT_SAMPLES,
): Headroom | null {
  if (places <= 0) return null;
  const rampPerSec = Math.max(controller.nowPerSec, controller.rampPerSec ?? 0);
  const ramp = measuredBand(rampPerSec, [rampPerSec, rampPerSec]);
  // Awaiting its first booking signal, the controller holds its rate: the slow end climbs only after a hold.
  const held = controller.heldRampPerSec;
  const prior = {
    ...ramp,
    p10PerSec:
      held !== undefined ? Math.min(ramp.p10PerSec, measuredBand(held, [held, held]).p10PerSec) : ramp.p10PerSec,
    p90PerSec: Math.max(ramp.p90PerSec, plannedPerSec ?? 0),
  };
  if (prior.meanPerSec <= 0 && !free) return null;
  const n = free?.samples ?? 0;
  const w = n / (n + Math.max(1, halfWeightSamples));
  const mix = (m: number, p: number) => w * m + (1 - w) * p;
  const rate = {
    meanPerSec: mix(free?.meanPerSec ?? 0, prior.meanPerSec),
    p10PerSec: mix(free?.p10PerSec ?? 0, prior.p10PerSec),
    p90PerSec: mix(free?.p90PerSec ?? 0, prior.p90PerSec),
  };
  const isHeldSlowEnd = held !== undefined && prior.p10PerSec < ramp.p10PerSec && (controller.heldSeconds ?? 0) > 0;
  const hold = isHeldSlowEnd ? { hold: { seconds: controller.heldSeconds!, perSec: controller.nowPerSec } } : {};
  return rate.meanPerSec > 0 ? { places, ...rate, measuredShare: w, ...hold } : null;
}

/** The band with the room's free session headroom (room-wide; `scaleBand` shares it out). */
export function withHeadroom(band: RateBand | null, headroom: Headroom | null): RateBand | null {
  if (!band || !headroom) return band;
  return { ...band, headroom };
}

/** The planned rate's band: the actual rate may be half the plan, or three times it at the opening. */
export const PLAN_LOW_FACTOR = 0.5;
export const PLAN_HIGH_FACTOR = 3;
/** Measured samples at which the measurement and the plan weigh the same. */
export const PLAN_HALF_WEIGHT_SAMPLES = 20;

/**
 * The rate band the ETA is computed from: the measured band blended with the planned rate,
 * weighted n / (n + halfWeightSamples) towards the measurement (n: its samples).
 * `plannedPerSec` is this partition's share of the planned rate; null or 0: measured only.
 */
export function estimateRate(
  measured: RateBand | null,
  plannedPerSec: number | null,
  halfWeightSamples = PLAN_HALF_WEIGHT_SAMPLES,
): RateBand | null {
  const plan = plannedPerSec !== null && plannedPerSec > 0 ? plannedPerSec : null;
  if (plan === null) return measured;
  const n = measured?.samples ?? 0;
  const w = n / (n + Math.max(1, halfWeightSamples));
  const mix = (m: number, p: number) => w * m + (1 - w) * p;
  return {
    meanPerSec: mix(measured?.meanPerSec ?? 0, plan),
    p10PerSec: mix(measured?.p10PerSec ?? 0, plan * PLAN_LOW_FACTOR),
    p90PerSec: mix(measured?.p90PerSec ?? 0, plan * PLAN_HIGH_FACTOR),
    samples: n,
    measuredShare: w,
  };
}

/** Minutes ahead a turnover shape reaches; beyond them its last factor holds. */
export const TURNOVER_SHAPE_MINUTES = 20;

/** A per-minute curve (minute i from the opening) read at `minutes`: each value at its minute's middle, linear between, flat beyond the ends. */
export function curveAt(curve: readonly number[], minutes: number): number {
  const x = minutes - 0.5;
  if (x <= 0) return curve[0]!;
  const i = Math.floor(x);
  if (i >= curve.length - 1) return curve[curve.length - 1]!;
  return curve[i]! + (curve[i + 1]! - curve[i]!) * (x - i);
}

/**
 * How the planned session turnover changes over the coming minutes, from the curve the operator
 * entered (the capacity plan's `turnoverCurvePerSec`, minute by minute from the opening): factor k
 * is the curve k + ½ minutes from now over the curve now, never above an earlier factor. The plan's
 * falls are kept (as far as the measured rate has shown them: `confirmedShare`, `confirmShape`) and
 * its rises are not counted on: the plan has the turnover rise when the first
 * admissions that never book expire (at 1/100 of 2021-07-19, +41 % in minute 10), the replay saw
 * +8 %, and ETAs shown in minutes 7-9 that counted on the rise came out 15-28 % short. Before the
 * opening, now is the opening. null: no curve (or nothing usable in it).
 */
export function turnoverShape(
  curve: readonly number[] | null | undefined,
  minutesSinceOpening: number,
): number[] | null {
  if (!curve || curve.length === 0 || curve.some((x) => !(x > 0) || !Number.isFinite(x))) return null;
  const now = Math.max(0, minutesSinceOpening);
  const nowPerSec = curveAt(curve, now);
  let lowest = 1;
  return Array.from({ length: TURNOVER_SHAPE_MINUTES }, (_, k) => {
    lowest = Math.min(lowest, curveAt(curve, now + k + 0.5) / nowPerSec);
    return lowest;
  });
}

/** A planned fall this deep (to 1 − this of the rate) is enough to judge by the measured rate alone. */
export const SHAPE_JUDGED_FALL = 0.2;
/** The share of the plan's falls counted on while the measured rate has not had the time to show them. */
export const SHAPE_PRIOR_SHARE = 0.5;

/** The measured steady rate (its window's mean) at a moment, in minutes from the opening. */
export interface SteadyMark {
  readonly minutes: number;
  readonly meanPerSec: number;
}

/**
 * How much of the planned turnover's fall to count on ahead, 0..1, from how much of the fall the plan
 * had over the same span the measured rate has shown: since `since` (the first full measurement
 * window) the plan's curve went from c₀ to c₁ and the measured rate from m₀ to m₁; the share is
 * (1 − m₁/m₀) / (1 − c₁/c₀), within 0..1. A small planned fall says little against the measurement's
 * noise, so until the plan's fall reaches `SHAPE_JUDGED_FALL` the share leans on `SHAPE_PRIOR_SHARE`
 * in proportion. Both means are over the last window, so the curve is read half a window back.
 * In the 2021-07-19 replay at full scale the model's turnover fell from 175/s to 80/s in ten minutes
 * while the night's held at 110-160/s, and ETAs that kept the whole planned fall ahead, shown in
 * minutes 1-43, came out 16-62 % long; at half scale it fell (108 to 60/s in nine minutes, the model
 * 97 to 44/s), and at 1/500 as the model did (3.4 to 1.5/s).
 */
export function confirmedShare(
  curve: readonly number[],
  since: SteadyMark,
  now: SteadyMark,
  windowMinutes: number,
): number {
  const lag = windowMinutes / 2;
  const planned = curveAt(curve, now.minutes - lag) / curveAt(curve, since.minutes - lag);
  if (!(planned < 1) || !(since.meanPerSec > 0) || !Number.isFinite(planned)) return SHAPE_PRIOR_SHARE;
  const shown = Math.min(1, Math.max(0, (1 - now.meanPerSec / since.meanPerSec) / (1 - planned)));
  const judged = Math.min(1, (1 - planned) / SHAPE_JUDGED_FALL);
  return judged * shown + (1 - judged) * SHAPE_PRIOR_SHARE;
}

/** A turnover shape with only `share` of each fall counted on (factor f becomes 1 + (f − 1) · share). */
export function confirmShape(shape: readonly number[] | null, share: number): number[] | null {
  return shape && shape.map((f) => 1 + (f - 1) * share);
}

/**
 * The planned steady rate now with only `share` of the curve's fall since `sinceMinutes` counted on:
 * the curve then, plus that share of its change since (a rise counts whole: the rise is the plan's, and
 * the measured rate carries most of the weight by then).
 */
export function confirmedCurveAt(
  curve: readonly number[],
  minutes: number,
  sinceMinutes: number,
  share: number,
): number {
  const then = curveAt(curve, sinceMinutes),
    now = curveAt(curve, minutes);
  return now >= then ? now : then + (now - then) * share;
}

/**
 * The shape of the estimated steady rate (`estimateRate`: the measured rate blended with the plan):
 * the measured part is the rate now and follows the planned turnover's shape; the planned rate is
 * already the mean over the night (the plan's opening rate) and stays flat. So the factor k is
 * (w·M·shape[k] + (1 − w)·P) / (w·M + (1 − w)·P), w the measured share, rounded to 2 decimals.
 * In the 2021-07-19 replay at 1/500 the turnover fell from about 3.4/s to 1.5/s over the first ten
 * minutes as admissions that never book held their session to its expiry (the plan: 3.3 to 1.5/s),
 * and ETAs from the last minute's rate shown in minutes 3-5 came out 20-26 % short; the curve's
 * own level at the opening (the model turns sessions over from the first second, the replay some
 * seconds after the cap fills) made minute 0's a sixth short, hence the plan's mean there.
 * The shape counts in proportion to how full the measurement window is (n / `windowSamples`): the
 * first minute after the cap fills, the turnover rises as the first sessions end, which the curve
 * does not know, and the measurement of that rise is low (at 1/100, ETAs shown in minute 1 came out
 * 29 % long with the whole shape from the first sample, 5 % without it).
 * `isPlanFromCurve`: the planned part is the curve's own value now (`plannedSteadyOf`), so it follows
 * the shape in full: the factor is (w·M·shape'[k] + (1 − w)·P·shape[k]) / (w·M + (1 − w)·P).
 * null: no shape, or nothing measured yet and the plan flat (the plan alone).
 */
export function estimateShape(
  shape: readonly number[] | null,
  measured: RateBand | null,
  plannedPerSec: number | null,
  windowSamples: number,
  isPlanFromCurve = false,
  halfWeightSamples = PLAN_HALF_WEIGHT_SAMPLES,
): number[] | null {
  if (!shape) return null;
  const plan = plannedPerSec !== null && plannedPerSec > 0 ? plannedPerSec : 0;
  const hasMeasure = !!measured && measured.meanPerSec > 0;
  if (!hasMeasure && !(isPlanFromCurve && plan > 0)) return null;
  const n = hasMeasure ? measured.samples : 0;
  const w = plan > 0 ? n / (n + Math.max(1, halfWeightSamples)) : 1;
  const full = Math.min(1, n / Math.max(1, windowSamples));
  const m = hasMeasure ? w * measured.meanPerSec : 0,
    p = (1 - w) * plan;
  return shape.map(
    (f) => Math.round(((m * (1 + (f - 1) * full) + p * (isPlanFromCurve ? f : 1)) / (m + p)) * 100) / 100,
  );
}

/** The band with a turnover shape for its steady rate (none: as it is). */
export function withShape(band: RateBand | null, shape: readonly number[] | null | undefined): RateBand | null {
  return band && shape && shape.length > 0 ? { ...band, shape } : band;
}

/**
 * Seconds for `places` to pass at `ratePerSec` × shape[k] in minute k from now (shape absent: the
 * rate throughout; beyond its end, its last factor).
 */
export function secondsAtShapedRate(places: number, ratePerSec: number, shape?: readonly number[]): number {
  if (places <= 0) return 0;
  if (!shape || shape.length === 0) return places / ratePerSec;
  let left = places;
  for (let k = 0; ; k += 1) {
    const perSec = ratePerSec * Math.max(0.01, shape[Math.min(k, shape.length - 1)]!);
    if (k >= shape.length - 1 || left <= perSec * 60) return k * 60 + left / perSec;
    left -= perSec * 60;
  }
}

/**
 * Seconds until `places` have passed: at most `headroomRate` a second while the cap has room, and
 * never more than `headroom` places beyond what `steadyRate` (the session turnover, shaped over the
 * coming minutes when a shape is given) lets through: max(places / headroomRate, (places −
 * headroom) / steadyRate). The headroom shrinks at headroomRate − steadyRate while the cap fills,
 * so the burst lasts headroom / (headroomRate − steadyRate) and lets headroomRate × that through.
 * No headroom: the steady rate alone.
 */
export function secondsToPass(
  places: number,
  steadyRate: number,
  headroomRate: number,
  headroom: number,
  shape?: readonly number[],
  hold?: HeadroomHold,
): number {
  if (headroom <= 0 || headroomRate <= 0) return secondsAtShapedRate(places, steadyRate, shape);
  return Math.max(
    headroomSeconds(places, headroomRate, headroom, hold),
    secondsAtShapedRate(places - headroom, steadyRate, shape),
  );
}

/**
 * Seconds for the first `places` of a free headroom of `headroom` places to pass at `rate` (the whole
 * headroom's). With a hold, the headroom as a whole takes as long, but the places that pass during
 * the hold pass at its rate and the rest at what is left after it: k / r0 up to r0·T places, then
 * T + (k − r0·T)·(H/rate − T) / (H − r0·T). The first places' wait is mostly the hold: spread over the
 * whole headroom (at 1/100 of 2021-07-19, ~1,000 places), it showed 254 ahead a slow end of 13.4 s
 * while the controller held 5/s for 7 s and they waited 13.75 s.
 */
export function headroomSeconds(places: number, rate: number, headroom: number, hold?: HeadroomHold): number {
  const total = headroom / rate;
  const during = hold ? hold.perSec * hold.seconds : 0;
  if (!hold || hold.perSec <= 0 || places >= headroom || total <= hold.seconds || during >= headroom)
    return places / rate;
  if (places <= during) return places / hold.perSec;
  return hold.seconds + ((places - during) * (total - hold.seconds)) / (headroom - during);
}

/**
 * `ahead`: places before this person; they are admitted when the cursor has moved ahead + 1, and
 * see it at the page's next look (`pollMs`, the cadence near the front): half of it expected, all
 * of it at worst, and never sooner than the look after this one (someone at the front of a drained
 * queue is admitted within a tick and sees it one look later, not half a look later). With free
 * session headroom the first places pass at the controller's rate (`secondsToPass`); the band's
 * ends take the steady rate's ends and the controller's own drift.
 */
export function etaBand(ahead: number, band: RateBand | null, pollMs = 0): EtaBand | null {
  if (!band || band.meanPerSec <= 0) return null;
  const fast = Math.max(band.p90PerSec, band.meanPerSec);
  const slow = Math.min(band.p10PerSec, band.meanPerSec);
  const places = ahead + 1;
  const h = band.headroom;
  const hFast = h ? Math.max(h.p90PerSec, h.meanPerSec) : 0;
  const hSlow = h ? Math.min(h.p10PerSec, h.meanPerSec) : 0;
  const toPass = (steady: number, headroomRate: number, hold?: HeadroomHold) =>
    secondsToPass(places, steady, headroomRate, h?.places ?? 0, band.shape, hold);
  // Said to be an estimate while the part of the wait that decides it (the headroom's rate, or the
  // steady rate past it) rests mostly on what was set rather than measured.
  const isHeadroomBound =
    !!h && h.places > 0 && places / h.meanPerSec >= secondsAtShapedRate(places - h.places, band.meanPerSec, band.shape);
  const measuredShare = isHeadroomBound ? (h.measuredShare ?? 1) : (band.measuredShare ?? 1);
  return {
    expectedMs: Math.round(Math.max(pollMs, toPass(band.meanPerSec, h?.meanPerSec ?? 0) * 1000 + pollMs / 2)),
    lowMs: Math.round(toPass(fast, hFast) * 1000),
    highMs: slow > 0 ? Math.round(toPass(slow, hSlow, h?.hold) * 1000 + pollMs) : null,
    ratePerSec: band.meanPerSec,
    isFromPlan: measuredShare < 0.5,
  };
}

/**
 * How far along the wait is, 0..1: the places passed since the person's first look (`cursorAtStart`,
 * the cursor then) over the places that stood between them and the front at that moment. null
 * when it cannot be said (no start known, or nobody was ahead).
 */
export function progressOf(seq: number, cursorAtStart: number | null, cursorNow: number): number | null {
  if (cursorAtStart === null) return null;
  const span = seq - 1 - cursorAtStart;
  if (span <= 0) return cursorNow >= seq - 1 ? 1 : null;
  return Math.min(1, Math.max(0, (cursorNow - cursorAtStart) / span));
}

/** Short near the front (≈ minPollMs), long at the back (maxPollMs); maxPollMs with no ETA. */
export function nextPollMs(eta: EtaBand | null, s: PollSettings): number {
  if (!eta) return s.maxPollMs;
  return Math.round(Math.min(s.maxPollMs, Math.max(s.minPollMs, eta.lowMs * s.pollFraction)));
}

export interface PartitionSnapshot {
  readonly stats: QueueStats;
  readonly rate: RateBand | null;
}

export interface RoomSnapshot {
  readonly atMs: number;
  readonly partitions: readonly PartitionSnapshot[];
  /** Admission paused by an operator (as this process's controller sees it) at this refresh. */
  readonly isPaused?: boolean;
  /** Places the cursors passed per second, measured over the last ten refreshes (`AdmissionMeter.admittedPerSec`). */
  readonly admittedPerSec?: number;
  /**
   * Seats left that no active session or claim on its way holds (absent or null: seats are not
   * counted). Someone further back than this is let in only if sessions end without booking, which
   * no rate says when: they are shown no ETA (`isSeatBound`).
   */
  readonly seatsOpen?: number | null;
}

/**
 * Whether a place `ahead + 1` back (counted over the whole room) waits for seats rather than for a
 * rate: every seat left is held by someone already let in, or will be before the cursor reaches it.
 * Admission shares each step out over the partitions that hold people waiting (`allocateAdvance`),
 * so a seat may go to another partition's next place first: the first in its partition can be the
 * number-of-busy-partitions-th in the room to get one (counted per poll, as `scaleToRoom` sums the
 * partitions, and only when seats are counted). In the 2021-07-19 replay at 1/50 (8 partitions, T+48) the first of a
 * partition was shown an entry within a second with one seat open, and waited 41 s.
 */
export function isSeatBound(ahead: number, snapshot: Pick<RoomSnapshot, 'seatsOpen' | 'partitions'>): boolean {
  const open = snapshot.seatsOpen;
  if (open === null || open === undefined) return false;
  const busy = snapshot.partitions.reduce((n, p) => n + (p.stats.waiting > 0 ? 1 : 0), 0);
  return ahead + Math.max(1, busy) > open;
}

/** A partition's share of a room-wide rate: partitions drain in proportion to what they hold waiting. */
export function partitionShare(ratePerSec: number, stats: readonly QueueStats[], partition: number): number {
  const total = stats.reduce((n, s) => n + s.waiting, 0);
  const own = stats[partition]?.waiting ?? 0;
  return total > 0 ? (ratePerSec * own) / total : ratePerSec / Math.max(1, stats.length);
}

/**
 * A partition's local counts scaled to the whole queue. With one partition this is exact. With P
 * partitions drained in proportion to what they hold waiting, someone with k ahead in a partition
 * holding w of W waiting has about k·W/w ahead overall (hash partitioning keeps w ≈ W/P).
 */
export function scaleToRoom(local: number, snapshot: RoomSnapshot, partition: number): number {
  if (snapshot.partitions.length === 1) return local;
  const total = snapshot.partitions.reduce((sum, p) => sum + p.stats.waiting, 0);
  const own = snapshot.partitions[partition]?.stats.waiting ?? 0;
  return own > 0 ? Math.round((local * total) / own) : local * snapshot.partitions.length;
}

/**
 * Where a pre-room ticket stands after opening, before its exact rank is looked up: scores are
 * uniform, so the seq is about score/2^48 × frozen, with a binomial spread of √(frozen·u·(1−u)).
 */
export function estimatePreRoomSeq(preScore: number, frozen: number): { seq: number; spread: number } {
  const u = preScore / PRE_SCORE_RANGE;
  return { seq: Math.max(1, Math.ceil(u * frozen)), spread: Math.sqrt(frozen * u * (1 - u)) };
}
