/**
 * The plan's demand and service limits from a load scenario (data/scenarios/*.json, the format the
 * simulator validates in tools/simulator/scenario.ts), at a scale, as the simulator scales it: the
 * cohort and the admission limits multiply, the machine's numbers do not. Pure.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { err, ok, type Result } from '../platform/result.ts';
import { defaultPlanService, type PlanDemand, type PlanService } from './capacity-plan.ts';

const LogNormal = Type.Object({
  median: Type.Number({ exclusiveMinimum: 0 }),
  p90: Type.Number({ exclusiveMinimum: 0 }),
});
const Segment = Type.Object({
  fromMinutes: Type.Number(),
  toMinutes: Type.Number(),
  weight: Type.Number({ minimum: 0 }),
  halfLifeMinutes: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
});

/** The fields of a scenario the plan reads (the simulator's schema has more; they are ignored here). */
export const PlanScenarioSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  cohort: Type.Object({ eligible: Type.Integer({ minimum: 1 }), showUpShare: Type.Number({ minimum: 0, maximum: 1 }) }),
  proxies: Type.Object({
    share: Type.Number({ minimum: 0, maximum: 1 }),
    parentAlsoTriesShare: Type.Number({ minimum: 0, maximum: 1 }),
  }),
  outsiders: Type.Object({ share: Type.Number({ minimum: 0, maximum: 1 }) }),
  arrivals: Type.Object({
    curve: Type.Array(Segment, { minItems: 1 }),
    reloads: Type.Object({ mean: Type.Number({ minimum: 0 }), meanGapSeconds: Type.Number({ exclusiveMinimum: 0 }) }),
    extraDevices: Type.Object({ share: Type.Number({ minimum: 0, maximum: 1 }), max: Type.Integer({ minimum: 1 }) }),
  }),
  waiting: Type.Object({
    patienceMinutes: LogNormal,
    comeBackShare: Type.Number({ minimum: 0, maximum: 1 }),
    comeBackAfterMinutes: Type.Object({ min: Type.Number({ minimum: 0 }), max: Type.Number({ minimum: 0 }) }),
  }),
  session: Type.Object({ thinkSeconds: Type.Object({ eligibility: LogNormal, search: LogNormal, book: LogNormal }) }),
  service: Type.Object({
    partitions: Type.Integer({ minimum: 1 }),
    admissionMaxRatePerSec: Type.Integer({ minimum: 1 }),
    activeSessionCap: Type.Integer({ minimum: 1 }),
  }),
});
export type PlanScenario = Static<typeof PlanScenarioSchema>;

export function parsePlanScenario(json: unknown): Result<PlanScenario, 'invalid-scenario'> {
  if (Value.Check(PlanScenarioSchema, json)) return ok(json);
  const problems = [...Value.Errors(PlanScenarioSchema, json)].slice(0, 10).map((e) => `${e.path}: ${e.message}`);
  return err('invalid-scenario', { problems });
}

/**
 * Demand and limits of `s` at `scale` (0 < scale ≤ 1, as `npm run simulate --scale`). `eligible`
 * replaces the scenario's cohort (the console counts it from the registered population); the
 * scale does not apply to it.
 */
export function planFromScenario(
  s: PlanScenario,
  o: { scale?: number; eligible?: number } = {},
): { demand: PlanDemand; service: PlanService } {
  const scale = o.scale ?? 1;
  const eligible = o.eligible ?? Math.max(1, Math.round(s.cohort.eligible * scale));
  return {
    demand: {
      eligible,
      showUpShare: s.cohort.showUpShare,
      proxyShare: s.proxies.share,
      proxyParentAlsoTriesShare: s.proxies.parentAlsoTriesShare,
      outsiderShare: s.outsiders.share,
      arrivalCurve: s.arrivals.curve,
      reloadsMean: s.arrivals.reloads.mean,
      reloadGapSeconds: s.arrivals.reloads.meanGapSeconds,
      extraDevicesShare: s.arrivals.extraDevices.share,
      extraDevicesMax: s.arrivals.extraDevices.max,
      patienceMinutes: s.waiting.patienceMinutes,
      comeBackShare: s.waiting.comeBackShare,
      comeBackAfterMinutes: s.waiting.comeBackAfterMinutes,
      thinkSeconds: s.session.thinkSeconds,
    },
    // The same scaling as tools/simulator/environment.ts scaledService.
    service: {
      ...defaultPlanService,
      partitions: s.service.partitions,
      admissionMaxRatePerSec: Math.max(5, Math.round(s.service.admissionMaxRatePerSec * scale)),
      activeSessionCap: Math.max(20, Math.round(s.service.activeSessionCap * scale)),
    },
  };
}
