import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seedCampaign } from '../eligibility/eligibility.fixtures.ts';
import { scheduleFor } from '../eligibility/eligibility.ts';
import { ok } from '../platform/result.ts';
import { loadScenario } from '../../tools/simulator/scenario.ts';
import { planCapacity, type MeasuredCapacity } from './capacity-plan.ts';
import { createCapacityService } from './capacity.service.ts';
import { planFromScenario } from './scenario-demand.ts';

const measured: MeasuredCapacity = {
  source: { file: 'test', measuredAt: '2026-11-30T00:00:00Z', machine: 'test' },
  node: { joinCpuUs: 200, verifyCpuUs: 500, snapshotCpuUs: 40, refusalCpuUs: 50, bookingRequestCpuMs: 1 },
  edge: { snapshotCpuUs: 20, joinCpuUs: 25 },
  redis: { joinsPerShardSecond: 70_000, commandsPerShardSecond: 80_000, bytesPerPerson: 110 },
  postgres: { bookingTps: 5_000, cores: 2 },
};

// The 18-49 rotation: the opening of 9 Aug 2021 20:00 KST is for birth days ending in 9.
const rules = seedCampaign('2021-08-18-49');
const population = new Map<string, number>([
  ['1980-03-09', 4_000],
  ['1990-07-19', 3_000],
  ['1999-12-29', 2_000],
  ['1985-05-10', 5_000],
  ['1960-01-09', 7_000], // not in the cohort
]);
const scenarios = [loadScenario('2021-08-09'), loadScenario('2021-07-19')];
const service = { admissionMaxRatePerSec: 5_000, activeSessionCap: 20_000, partitions: 12 };

const capacity = (nowMs: number) =>
  createCapacityService({
    liveRules: async (id) => (id === rules.id ? rules : undefined),
    countsByBirthDate: async () => population,
    scenarios: () => scenarios,
    measured: () => ok(measured),
    service,
    clock: { nowMs: () => nowMs },
  });

const digit9 = scheduleFor(rules, '1980-03-09')[0]!.opensAtMs;

describe('the capacity plan of a campaign', () => {
  it('plans the next opening for the registered people it opens for, with the model of npm run plan', async () => {
    const r = await capacity(digit9 - 3_600_000).planForCampaign(rules.id, {});
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.value.opening, { opensAtMs: digit9, eligible: 9_000 });
    assert.ok(
      r.value.openings.some((o) => o.eligible === 5_000),
      'the digit-0 opening has its own cohort',
    );
    assert.equal(r.value.scenario.id, '2021-08-09');
    const { demand } = planFromScenario(scenarios[0]!, { eligible: 9_000 });
    const expected = planCapacity({
      demand,
      service: { ...planFromScenario(scenarios[0]!).service, ...service },
      measured,
    });
    assert.deepEqual(r.value.plan, expected);
  });

  it('plans a chosen opening and arrival curve', async () => {
    const digit0 = scheduleFor(rules, '1985-05-10')[0]!.opensAtMs;
    const r = await capacity(digit9).planForCampaign(rules.id, { opensAtMs: digit0, scenarioId: '2021-07-19' });
    assert.ok(r.ok);
    assert.deepEqual(r.value.opening, { opensAtMs: digit0, eligible: 5_000 });
    assert.equal(r.value.plan.people.eligible, 5_000);
    assert.equal(r.value.scenario.id, '2021-07-19');
  });

  it('says what is wrong: no such campaign, scenario or opening', async () => {
    const c = capacity(digit9);
    assert.equal(((await c.planForCampaign('nope', {})) as { reason: string }).reason, 'campaign-not-found');
    assert.equal(
      ((await c.planForCampaign(rules.id, { scenarioId: 'nope' })) as { reason: string }).reason,
      'unknown-scenario',
    );
    assert.equal(
      ((await c.planForCampaign(rules.id, { opensAtMs: 1 })) as { reason: string }).reason,
      'unknown-opening',
    );
  });
});
