/**
 * A rehearsal: the operator's load test of their own deployment, before the night (issue 14 item 5).
 *
 * The capacity plan (planned-rate.ts) sizes a deployment for the night from per-core bench numbers;
 * a replay on one shared machine is not that deployment. At full scale on the 2-core development
 * machine the plan entered 533 admissions/s while the machine admitted 100-175/s with its session limit
 * near 10,000 of the scenario's 100,000, and minute 0's ETAs were 1 % within their band. An operator
 * whose deployment is what it is would rehearse the night on it and enter what it measured. The
 * simulator does the same with `--rehearse N`: the same scenario, scale and services, with the
 * controller free and nothing planned, until N virtual minutes after the opening; then, from what it
 * recorded, the most people in session at the end (entered as the session cap) and the admissions
 * per second, minute by minute, once the sessions had filled.
 *
 * `measureRehearsal` is pure: the recorder's series in, the plan out. `rehearse` runs the rehearsal
 * (its own schema and keys, removed after it) and measures it.
 */
import { defaultPlanService } from '../../src/capacity/capacity-plan.ts';
import { defaultControllerSettings } from '../../src/waiting-room/admission-controller.ts';
import { runFull, type FullOptions } from './full-run.ts';
import { capacityPlanFor, type PlannedRate } from './planned-rate.ts';
import type { Recorder } from './recorder.ts';
import type { Scenario } from './scenario.ts';

export interface RehearsalPlan {
  /** Virtual minutes after the opening that were rehearsed. */
  readonly minutes: number;
  /** The most people in session in the rehearsal's last minute (at most the limit then): the session cap to enter. */
  readonly sessionCap: number;
  /** Admissions per second by minute from the opening, once the sessions had filled (people waiting); 3 significant digits. */
  readonly turnoverPerSec: readonly number[];
  /** Their mean over every second measured. */
  readonly ratePerSec: number;
  /** Seconds measured: people waiting, from the first second the sessions had filled. */
  readonly heldSeconds: number;
}

/** The sessions have filled once the people in session reach this share of the most held and stop growing. */
export const HELD_SHARE = 0.9;
/** A minute with fewer seconds measured than this takes its neighbour's rate (the first, while sessions fill). */
const MIN_SECONDS_PER_MINUTE = 10;
/** People were held back in a second when more waited than this many seconds of its admissions. */
const BACKLOG_SECONDS = 10;

const sig3 = (n: number): number => Number(n.toPrecision(3));

/**
 * The plan a rehearsal measured, or null when the queue never held people back in its last minute
 * (more waiting than `BACKLOG_SECONDS` of admissions: the machine took everyone, nothing to measure).
 *
 * The session cap is the most people in session in the rehearsal's last minute, at most the limit
 * then: what the machine held, whether the controller's session limit held them there or its rate
 * did (at full scale on the loaded 2-core machine on 2026-12-01 the rate did: in six minutes the
 * sessions never stood at 90 % of the limit without growing, and a measure of the limit alone planned nothing). The rate of a minute is the cursor's movement per second while
 * people waited, from the first second the sessions had filled (at `HELD_SHARE` of that cap and no
 * longer growing) on: what a place in the queue experiences then. The seconds before are the fill,
 * which the ETA counts as headroom.
 */
export function measureRehearsal(rec: Recorder, opensAtMs: number, minutes: number): RehearsalPlan | null {
  const first = rec.secondOf(opensAtMs);
  const last = Math.min(rec.lastSecond, first + minutes * 60 - 1);
  const isBacklogged = (s: number) => rec.gauges.waiting[s]! > BACKLOG_SECONDS * Math.max(1, rec.counters.advanced[s]!);
  let held = 0;
  let lastLimit = Number.NaN;
  for (let s = Math.max(first, last - 59); s <= last; s += 1) {
    if (isBacklogged(s) && rec.gauges.activeSessions[s]! > held) held = rec.gauges.activeSessions[s]!;
    if (rec.gauges.sessionLimit[s]! > 0) lastLimit = rec.gauges.sessionLimit[s]!;
  }
  const cap = Math.round(lastLimit > 0 ? Math.min(held, lastLimit) : held);
  if (!(cap > 0)) return null;
  let heldFrom = -1;
  for (let s = Math.max(1, first); s <= last && heldFrom < 0; s += 1) {
    const active = rec.gauges.activeSessions[s]!;
    // Filled, and no longer filling: admission now replaces the sessions that end.
    if (isBacklogged(s) && active >= HELD_SHARE * cap && active <= rec.gauges.activeSessions[s - 1]!) heldFrom = s;
  }
  if (heldFrom < 0) return null;
  const perMinute: (number | null)[] = [];
  let seconds = 0;
  let admitted = 0;
  for (let m = 0; m < minutes; m += 1) {
    let n = 0;
    let moved = 0;
    for (let s = Math.max(heldFrom, first + m * 60); s < first + (m + 1) * 60 && s <= last; s += 1) {
      if (!(rec.gauges.waiting[s]! > 0)) continue;
      n += 1;
      moved += rec.counters.advanced[s]!;
    }
    perMinute.push(n >= MIN_SECONDS_PER_MINUTE && moved > 0 ? moved / n : null);
    seconds += n;
    admitted += moved;
  }
  if (admitted === 0 || perMinute.every((r) => r === null)) return null;
  const filled = [...perMinute];
  for (let m = filled.length - 2; m >= 0; m -= 1) filled[m] ??= filled[m + 1]!;
  for (let m = 1; m < filled.length; m += 1) filled[m] ??= filled[m - 1]!;
  return {
    minutes,
    sessionCap: cap,
    turnoverPerSec: filled.map((r) => sig3(r!)),
    ratePerSec: sig3(admitted / seconds),
    heldSeconds: seconds,
  };
}

/**
 * The first minute after the opening whose turnover can set the plan's level: an admission that never
 * books holds its session until it expires (10 min), so in the first ten minutes only the sessions that
 * end early are seen. At half scale on 2026-12-01 five rehearsed minutes read 139/s with about 6,000 in
 * session, 1.67 × the model; the night then turned over 60-86/s in minutes 3-9 (the model at the same
 * cap: 44-74/s) and the ETAs shown in minutes 2-8 were 19-39 % long. A shorter rehearsal sets only the cap.
 */
export const LEVEL_FROM_MINUTE = Math.ceil(defaultPlanService.admissionTtlSeconds / 60);

/** What the night enters after a rehearsal (full-run.ts `plan`). */
export interface RehearsedPlan {
  readonly rate: PlannedRate;
  readonly activeSessionCap: number;
  /** The fewest in session the controller may cut to: the rehearsal's own floor, so it moves as it did there. */
  readonly activeSessionFloor: number;
  /** The level the rehearsal measured ÷ the capacity model's at the same cap (1: the model as it is). */
  readonly levelFactor: number;
}

/**
 * The plan to enter after a rehearsal: the capacity plan re-made with the session cap the rehearsal
 * found (its opening rate and turnover curve over the whole night: the model's shape, as sessions
 * lengthen while seats run out, validated at 1/50 where the cap binds), brought to the level the
 * rehearsal measured from `LEVEL_FROM_MINUTE` on (the mean ratio) when it ran that long. Without bench
 * results to plan from, the rehearsal's own rates are entered as they are. At full scale on
 * 2026-12-01 the night's turnover did not fall as the model's does, and the ETAs shown in minutes
 * 1-43 were 16-62 % long (tools/simulator/README.md): the shape is still open.
 */
export function planFromRehearsal(
  m: RehearsalPlan,
  scenario: Scenario,
  scale: number,
  scenarioCap: number,
): RehearsedPlan {
  const cap = Math.max(1, Math.min(scenarioCap, m.sessionCap));
  const floor = Math.min(cap, Math.ceil(scenarioCap * defaultControllerSettings.minSessionLimitShare));
  const model = capacityPlanFor(scenario, scale, { activeSessionCap: cap });
  const curve = model?.admission.turnoverCurvePerSec ?? [];
  const n = Math.min(curve.length, m.turnoverPerSec.length);
  let measured = 0;
  let modelled = 0;
  // Only minutes after an admission could have expired: before, the sessions that end are the short
  // ones, and the level reads high (`LEVEL_FROM_MINUTE`).
  for (let i = LEVEL_FROM_MINUTE; i < n; i += 1) {
    measured += m.turnoverPerSec[i]!;
    modelled += curve[i]!;
  }
  const base = { activeSessionCap: cap, activeSessionFloor: floor };
  if (!model || model.admission.openingRatePerSec <= 0)
    return {
      ...base,
      rate: { ratePerSec: m.ratePerSec, turnoverPerSec: m.turnoverPerSec, source: 'rehearsal' },
      levelFactor: 1,
    };
  // A rehearsal too short to read the level (or nothing modelled to compare with) keeps the model's.
  const k = n > LEVEL_FROM_MINUTE && modelled > 0 ? measured / modelled : 1;
  return {
    ...base,
    rate: {
      ratePerSec: k === 1 ? model.admission.openingRatePerSec : sig3(model.admission.openingRatePerSec * k),
      turnoverPerSec: k === 1 ? curve : curve.map((r) => sig3(r * k)),
      source: 'rehearsal',
    },
    levelFactor: sig3(k),
  };
}

export interface RehearsalResult {
  /** Null: the queue held nobody back at the end (see measureRehearsal). */
  readonly plan: RehearsalPlan | null;
  readonly wallSeconds: number;
  readonly booked: number;
}

/** Rehearses the night `o` describes until `minutes` after the opening, with nothing planned, and measures it. */
export async function rehearse(o: FullOptions, minutes: number): Promise<RehearsalResult> {
  const t0 = performance.now();
  const result = await runFull({
    ...o,
    keep: false,
    dataDir: `${o.dataDir}-rehearsal`,
    minutesAfterOpening: minutes,
    plan: { rate: { ratePerSec: 0, turnoverPerSec: [], source: 'none' }, activeSessionCap: null },
  });
  if (result.stoppedBy === 'wall-limit' || result.stoppedBy === 'interrupted')
    throw new Error(
      `the rehearsal stopped (${result.stoppedBy}) before T+${minutes} min: nothing measured to plan from`,
    );
  const bad = result.invariants.filter((c) => !c.ok).map((c) => c.name);
  if (bad.length > 0) throw new Error(`the rehearsal broke invariants (${bad.join(', ')}): not a plan to enter`);
  return {
    plan: measureRehearsal(result.sim.rec, result.sim.opensAtMs, minutes),
    wallSeconds: Math.round((performance.now() - t0) / 1000),
    booked: result.sim.rec.total('bookings'),
  };
}
