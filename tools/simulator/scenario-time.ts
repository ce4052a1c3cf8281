/**
 * Compresses a scenario's human time scale by a factor: arrival curves, reload gaps, patience,
 * coming back and think times all shrink, so a night of minutes plays out in seconds. The service's
 * own timings (poll intervals, grace period, admission lifetime) are not the scenario's and stay as
 * they are. Used by live mode (real time cannot be skipped) and by the smoke test. Pure.
 */
import type { CurveSegment, LogNormalSpec, Scenario } from './scenario.ts';

const curve = (segments: readonly CurveSegment[], f: number): CurveSegment[] =>
  segments.map((c) => ({
    fromMinutes: c.fromMinutes / f,
    toMinutes: c.toMinutes / f,
    weight: c.weight,
    ...(c.halfLifeMinutes === undefined ? {} : { halfLifeMinutes: c.halfLifeMinutes / f }),
  }));
const duration = (d: LogNormalSpec, f: number): LogNormalSpec => ({ median: d.median / f, p90: d.p90 / f });

export function compressTime(s: Scenario, factor: number): Scenario {
  if (!(factor >= 1)) throw new RangeError('compressTime: factor must be at least 1');
  const f = factor;
  const think = s.session.thinkSeconds;
  return {
    ...s,
    simulation: {
      ...s.simulation,
      startMinutesBeforeOpening: s.simulation.startMinutesBeforeOpening / f,
      minutesAfterOpening: s.simulation.minutesAfterOpening / f,
    },
    arrivals: {
      ...s.arrivals,
      curve: curve(s.arrivals.curve, f),
      reloads: { ...s.arrivals.reloads, meanGapSeconds: s.arrivals.reloads.meanGapSeconds / f },
    },
    bots: { ...s.bots, arrival: curve(s.bots.arrival, f), thinkSeconds: duration(s.bots.thinkSeconds, f) },
    waiting: {
      ...s.waiting,
      patienceMinutes: duration(s.waiting.patienceMinutes, f),
      comeBackAfterMinutes: {
        min: s.waiting.comeBackAfterMinutes.min / f,
        max: s.waiting.comeBackAfterMinutes.max / f,
      },
    },
    session: {
      ...s.session,
      thinkSeconds: {
        eligibility: duration(think.eligibility, f),
        search: duration(think.search, f),
        book: duration(think.book, f),
      },
    },
  };
}
