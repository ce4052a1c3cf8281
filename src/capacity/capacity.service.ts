/**
 * The console's capacity plan for a live campaign: the cohort of one opening counted on the
 * registered population with the campaign's own rules, an arrival curve and behaviour from a load
 * scenario, the waiting room's settings of this deployment and the bench's measured numbers, through
 * the same model as `npm run plan` (capacity-plan.ts).
 */
import { err, ok, type Result } from '../platform/result.ts';
import { scheduleFor } from '../eligibility/eligibility.ts';
import type { CampaignRules } from '../eligibility/rules.ts';
import { planCapacity, type CapacityPlan, type MeasuredCapacity, type PlanService } from './capacity-plan.ts';
import { planFromScenario, type PlanScenario } from './scenario-demand.ts';

export interface CampaignCapacityPlan {
  campaignId: string;
  /** Every opening of the campaign with the registered people it opens for. */
  openings: { opensAtMs: number; eligible: number }[];
  /** The opening planned for. */
  opening: { opensAtMs: number; eligible: number };
  scenario: { id: string; title: string };
  scenarios: { id: string; title: string }[];
  /** The waiting room's settings the plan assumed (this deployment's configuration). */
  service: { admissionMaxRatePerSec: number; activeSessionCap: number; partitions: number };
  plan: CapacityPlan;
}

export type CapacityPlanFailure =
  'campaign-not-found' | 'unknown-scenario' | 'unknown-opening' | 'incomplete-bench-results' | 'no-registered-cohort';

export interface CapacityServiceDeps {
  liveRules(campaignId: string): Promise<CampaignRules | undefined>;
  countsByBirthDate(): Promise<ReadonlyMap<string, number>>;
  /** The load scenarios (data/scenarios), in display order; the first is the default. */
  scenarios(): readonly PlanScenario[];
  measured(): Result<MeasuredCapacity, 'incomplete-bench-results'>;
  service: Pick<PlanService, 'admissionMaxRatePerSec' | 'activeSessionCap' | 'partitions'>;
  clock: { nowMs(): number };
}

export function createCapacityService(deps: CapacityServiceDeps) {
  async function planForCampaign(
    campaignId: string,
    q: { scenarioId?: string; opensAtMs?: number },
  ): Promise<Result<CampaignCapacityPlan, CapacityPlanFailure>> {
    const rules = await deps.liveRules(campaignId);
    if (!rules) return err('campaign-not-found');
    const all = deps.scenarios();
    const scenario = q.scenarioId === undefined ? all[0] : all.find((s) => s.id === q.scenarioId);
    if (!scenario) return err('unknown-scenario', { known: all.map((s) => s.id) });
    const measured = deps.measured();
    if (!measured.ok) return measured;
    const byOpening = new Map<number, number>();
    for (const [birthDate, n] of await deps.countsByBirthDate()) {
      for (const o of scheduleFor(rules, birthDate)) byOpening.set(o.opensAtMs, (byOpening.get(o.opensAtMs) ?? 0) + n);
    }
    const openings = [...byOpening.entries()]
      .map(([opensAtMs, eligible]) => ({ opensAtMs, eligible }))
      .sort((a, b) => a.opensAtMs - b.opensAtMs);
    if (openings.length === 0) return err('no-registered-cohort');
    const now = deps.clock.nowMs();
    const opening =
      q.opensAtMs === undefined
        ? (openings.find((o) => o.opensAtMs >= now) ?? openings[openings.length - 1]!)
        : openings.find((o) => o.opensAtMs === q.opensAtMs);
    if (!opening) return err('unknown-opening');
    const { demand } = planFromScenario(scenario, { eligible: opening.eligible });
    const service = { ...planFromScenario(scenario).service, ...deps.service };
    const plan = planCapacity({ demand, service, measured: measured.value });
    return ok({
      campaignId,
      openings,
      opening,
      scenario: { id: scenario.id, title: scenario.title },
      scenarios: all.map((s) => ({ id: s.id, title: s.title })),
      service: deps.service,
      plan,
    });
  }
  return { planForCampaign };
}

export type CapacityService = ReturnType<typeof createCapacityService>;
