/**
 * The capacity plan checked against the simulator (issue 15 item 3): for the 2021-07-19 and
 * 2021-08-09 scenarios at 1/10 scale, the queue peak and drain time `npm run plan` predicts are
 * within 20 % of what the full-mode simulator measures when the waiting room admits at the planned
 * rate (pinned, as an operator following the plan would; the active-session cap still holds).
 *
 * The simulator runs every person through the real waiting room on a real Redis and books through
 * the real services on Postgres, on fixed virtual steps (so this machine's speed cannot change the
 * queue). To keep the run bounded the horizon ends 15 minutes after the predicted drain (at least
 * 30 minutes after the opening); everyone is still drawn, only later events are not played.
 * Integration tier: each scenario takes a few minutes here (registering 150,000 people, 100,000+
 * bookings).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { postgresForTest, TEST_DATABASE_URL } from '../../test/support/databases.ts';
import { REDIS_URL, redisSkipReason } from '../../test/support/redis.ts';
import { planCapacity } from '../../src/capacity/capacity-plan.ts';
import { EXAMPLE_BENCH_RESULTS } from '../../src/capacity/bench-results.ts';
import { readMeasured } from '../../src/capacity/capacity-files.ts';
import { planFromScenario } from '../../src/capacity/scenario-demand.ts';
import { runFull } from '../simulator/full-run.ts';
import { loadScenario } from '../simulator/scenario.ts';
import { queueDrain } from '../simulator/summary.ts';

const SCALE = 0.1;

async function storesOrSkip(t: TestContext): Promise<boolean> {
  const probe = await postgresForTest(t, 2);
  if (!probe) return false;
  await probe.close();
  const skip = await redisSkipReason();
  if (skip) {
    t.skip(skip);
    return false;
  }
  return true;
}

const within = (predicted: number, simulated: number, share: number) =>
  Math.abs(predicted - simulated) <= share * simulated;

async function check(t: TestContext, id: string) {
  if (!(await storesOrSkip(t))) return;
  // CAPACITY_BENCH_FILES (comma-separated): check with your own `npm run bench` results instead.
  const files = process.env.CAPACITY_BENCH_FILES?.split(',') ?? EXAMPLE_BENCH_RESULTS;
  const measured = readMeasured(files);
  assert.ok(measured.ok, JSON.stringify(!measured.ok && measured.detail));
  const scenario = loadScenario(id);
  const { demand, service } = planFromScenario(scenario, { scale: SCALE });
  const plan = planCapacity({ demand, service, measured: measured.value });
  assert.ok(plan.queue.drainedAtMinutes !== null, 'the plan drains the queue');
  const horizon = Math.min(
    scenario.simulation.minutesAfterOpening,
    Math.max(30, Math.ceil(plan.queue.drainedAtMinutes + 15)),
  );
  const dir = mkdtempSync(join(tmpdir(), `yeyak-plan-${id}-`));
  try {
    const r = await runFull({
      scenario: { ...scenario, simulation: { ...scenario.simulation, minutesAfterOpening: horizon } },
      scale: SCALE,
      databaseUrl: TEST_DATABASE_URL,
      redisUrl: REDIS_URL,
      dataDir: dir,
      maxWallMs: 15 * 60_000,
      stepping: 'fixed',
      bookingWorkers: 2,
      admissionRatePerSec: plan.admission.plannedRatePerSec,
    });
    assert.notEqual(r.stoppedBy, 'wall-limit', 'the simulation finished within its wall-clock bound');
    assert.deepEqual(
      r.invariants.filter((i) => !i.ok),
      [],
    );
    const simulated = queueDrain(r.sim.rec, r.sim.opensAtMs);
    const table = `${id} at 1/10, admitting at ${plan.admission.plannedRatePerSec}/s: predicted peak ${plan.queue.peak} at T+${plan.queue.peakAtMinutes} min, drained T+${plan.queue.drainedAtMinutes} min; simulated peak ${simulated.peak} at T+${simulated.peakAfterOpeningMinutes} min, drained T+${simulated.drainedAfterOpeningMinutes} min`;
    t.diagnostic(table);
    assert.ok(simulated.drainedAfterOpeningMinutes !== null, `the simulated queue drained: ${table}`);
    assert.ok(within(plan.queue.peak, simulated.peak, 0.2), `queue peak within 20 %: ${table}`);
    assert.ok(
      within(plan.queue.drainedAtMinutes!, simulated.drainedAfterOpeningMinutes!, 0.2),
      `drain time within 20 %: ${table}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('npm run plan against the simulator (1/10 scale, the planned admission rate)', () => {
  it('predicts the 2021-07-19 queue peak and drain time within 20 %', (t) => check(t, '2021-07-19'));
  it('predicts the 2021-08-09 queue peak and drain time within 20 %', (t) => check(t, '2021-08-09'));
});
