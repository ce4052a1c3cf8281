/**
 * The admission rate an operator would enter as the campaign's planned rate before the opening
 * (issue 14 item 5): what `npm run plan` tells the operator to enter for the scenario at the run's
 * scale (its opening rate: the mean while the opening's queue drains), from the
 * committed bench results (src/capacity, as tools/plan/check.ts plans). The waiting room's first
 * ETAs start from it. When the bench results cannot be read, the scenario's own stated plan
 * (`service.admissionPlannedRatePerSec`, scaled) is used and the source says so.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_BENCH_RESULTS } from '../../src/capacity/bench-results.ts';
import { readMeasured } from '../../src/capacity/capacity-files.ts';
import { planCapacity, type CapacityPlan } from '../../src/capacity/capacity-plan.ts';
import { planFromScenario } from '../../src/capacity/scenario-demand.ts';
import type { Scenario } from './scenario.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface PlannedRate {
  /** Admissions per second; 0: none planned. */
  readonly ratePerSec: number;
  /** The plan's session turnover by minute from the opening (empty: none; the scenario's own rate has none). */
  readonly turnoverPerSec: readonly number[];
  readonly source: 'capacity-plan' | 'rehearsal' | 'scenario' | 'none';
}

/**
 * The capacity plan for the scenario at this scale (null when the bench results cannot be read),
 * optionally with another session cap than the scenario's (a rehearsal's, rehearsal.ts).
 */
export function capacityPlanFor(
  scenario: Scenario,
  scale: number,
  o: { activeSessionCap?: number; benchFiles?: readonly string[] } = {},
): CapacityPlan | null {
  const measured = readMeasured((o.benchFiles ?? EXAMPLE_BENCH_RESULTS).map((f) => resolve(ROOT, f)));
  if (!measured.ok) return null;
  const { demand, service } = planFromScenario(scenario, { scale });
  return planCapacity({
    demand,
    service: o.activeSessionCap === undefined ? service : { ...service, activeSessionCap: o.activeSessionCap },
    measured: measured.value,
  });
}

export function plannedAdmissionRate(
  scenario: Scenario,
  scale: number,
  benchFiles: readonly string[] = EXAMPLE_BENCH_RESULTS,
): PlannedRate {
  const plan = capacityPlanFor(scenario, scale, { benchFiles });
  if (plan && plan.admission.openingRatePerSec > 0)
    return {
      ratePerSec: plan.admission.openingRatePerSec,
      turnoverPerSec: plan.admission.turnoverCurvePerSec,
      source: 'capacity-plan',
    };
  const stated = (scenario.service.admissionPlannedRatePerSec ?? 0) * scale;
  return stated > 0
    ? { ratePerSec: stated, turnoverPerSec: [], source: 'scenario' }
    : { ratePerSec: 0, turnoverPerSec: [], source: 'none' };
}
