import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { curveCdf } from '../../tools/simulator/distributions.ts';
import { scaledService } from '../../tools/simulator/environment.ts';
import { loadScenario } from '../../tools/simulator/scenario.ts';
import {
  arrivalCdf,
  logNormalCdf,
  logNormalMean,
  peakAndDrain,
  planCapacity,
  type MeasuredCapacity,
  type PlanDemand,
  type PlanService,
} from './capacity-plan.ts';
import { EXAMPLE_BENCH_RESULTS, measuredCapacityOf } from './bench-results.ts';
import { planFromScenario } from './scenario-demand.ts';

const measured: MeasuredCapacity = {
  source: { file: 'test', measuredAt: '2026-11-30T00:00:00Z', machine: 'test' },
  node: { joinCpuUs: 200, verifyCpuUs: 500, snapshotCpuUs: 40, refusalCpuUs: 50, bookingRequestCpuMs: 1 },
  edge: { snapshotCpuUs: 20, joinCpuUs: 25 },
  redis: { joinsPerShardSecond: 70_000, commandsPerShardSecond: 80_000, bytesPerPerson: 110 },
  postgres: { bookingTps: 5_000, cores: 2 },
};

/** Everyone arrives in the 10 minutes before the opening, never gives up, books in ~10 s. */
const patientCrowd = (eligible: number): PlanDemand => ({
  eligible,
  showUpShare: 1,
  proxyShare: 0,
  proxyParentAlsoTriesShare: 0,
  outsiderShare: 0,
  arrivalCurve: [{ fromMinutes: -10, toMinutes: 0, weight: 1 }],
  reloadsMean: 0,
  reloadGapSeconds: 30,
  extraDevicesShare: 0,
  extraDevicesMax: 1,
  patienceMinutes: { median: 100_000, p90: 200_000 },
  comeBackShare: 0,
  comeBackAfterMinutes: { min: 1, max: 2 },
  thinkSeconds: {
    eligibility: { median: 2, p90: 2 },
    search: { median: 4, p90: 4 },
    book: { median: 4, p90: 4 },
  },
});
const roomy: PlanService = {
  admissionMaxRatePerSec: 100,
  activeSessionCap: 1_000_000,
  partitions: 8,
  graceSeconds: 300,
  claimWindowSeconds: 4,
  admissionTtlSeconds: 600,
};

describe('the capacity plan: queue model', () => {
  it("reads an arrival curve exactly as the simulator samples it (the simulator's CDF)", () => {
    const curve = loadScenario('2021-07-19').arrivals.curve;
    for (const m of [-60, -30, -10, -1, 0, 1, 3, 9.5, 10, 30, 60, 100, 150, 200])
      assert.ok(Math.abs(arrivalCdf(curve, m) - curveCdf(curve, m)) < 1e-12, `at ${m} min`);
  });

  it('takes a log-normal from its median and p90', () => {
    const spec = { median: 20, p90: 60 };
    assert.ok(Math.abs(logNormalCdf(spec, 20) - 0.5) < 1e-6);
    assert.ok(Math.abs(logNormalCdf(spec, 60) - 0.9) < 1e-6);
    const sigma = Math.log(3) / 1.2815515655446004;
    assert.ok(Math.abs(logNormalMean(spec) - 20 * Math.exp((sigma * sigma) / 2)) < 1e-9);
  });

  it('drains a pre-room of N at rate R in N/R seconds, the pre-room being the peak', () => {
    const plan = planCapacity({
      demand: patientCrowd(60_000),
      service: roomy,
      measured,
      admissionRatePerSec: 100,
    });
    assert.equal(plan.queue.preRoomAtOpening, 60_000);
    assert.equal(plan.queue.peak, 60_000);
    // 99 % of 60,000 reached at 100/s: 594 s = 9.9 min (±1 s of stepping).
    assert.ok(Math.abs(plan.queue.drainedAtMinutes! - 9.9) <= 0.05, String(plan.queue.drainedAtMinutes));
    assert.ok(plan.minutes.some((m) => m.admittedPerSec === 100));
  });

  it('lets the active-session cap hold the rate back, as the admission controller does', () => {
    const service = { ...roomy, activeSessionCap: 1_000, admissionMaxRatePerSec: 5_000 };
    const plan = planCapacity({ demand: patientCrowd(60_000), service, measured });
    // Sessions of 10 s plus a second to claim: about 1,000 / 11 ≈ 91 admissions a second.
    assert.equal(plan.admission.limitedBy, 'active-session-cap');
    assert.ok(Math.abs(plan.admission.plannedRatePerSec - 1_000 / 11) < 2, String(plan.admission.plannedRatePerSec));
    assert.ok(plan.queue.peakActiveSessions <= 1_000);
    const steady = plan.minutes.find((m) => m.minute === 3)!;
    assert.ok(steady.admittedPerSec > 80 && steady.admittedPerSec <= 92, String(steady.admittedPerSec));
  });

  it('tells the operator the opening rate: the cap turns over faster until admissions that never book expire', () => {
    // 2021-07-19 at 1/100: cap 1,000, sessions that book about a minute, 7 % that never book held 10 min
    const { demand, service } = planFromScenario(loadScenario('2021-07-19'), { scale: 0.01 });
    const plan = planCapacity({ demand, service, measured });
    const a = plan.admission;
    assert.equal(a.limitedBy, 'active-session-cap');
    // sustained 10.1/s; the queue's first quarter-hour runs at about 12/s (about 15/s in its first minutes)
    assert.ok(a.openingRatePerSec >= 1.1 * a.plannedRatePerSec, `${a.openingRatePerSec} vs ${a.plannedRatePerSec}`);
    assert.ok(a.openingRatePerSec <= service.admissionMaxRatePerSec);
    // A pinned rate is the rate: the queue cannot move faster than it.
    const pinned = planCapacity({ demand, service, measured, admissionRatePerSec: 8 });
    assert.ok(pinned.admission.openingRatePerSec <= 8, String(pinned.admission.openingRatePerSec));
  });

  it('gives the session turnover minute by minute until the queue drains: falling as admissions that never book pile up', () => {
    const { demand, service } = planFromScenario(loadScenario('2021-07-19'), { scale: 0.01 });
    const plan = planCapacity({ demand, service, measured });
    const curve = plan.admission.turnoverCurvePerSec;
    const drained = plan.queue.drainedAtMinutes!;
    assert.ok(
      curve.length >= 10 && curve.length <= Math.ceil(drained),
      `${curve.length} minutes, drained at ${drained}`,
    );
    // minutes 0-9 fall (the replay at 1/100: 16.0, 14.4 … 8.3/s in minutes 1-9), then the first expiries lift it
    for (let m = 1; m < 10; m += 1) assert.ok(curve[m]! < curve[m - 1]!, `minute ${m}: ${curve.join(' ')}`);
    assert.ok(curve[9]! < 0.6 * curve[0]!, curve.join(' '));
    assert.ok(curve[10]! > curve[9]!, 'admissions that never book expire from minute 10');
    // every value is a turnover the cap held, never above the rate the controller may reach
    assert.ok(curve.every((r) => r > 0 && r <= service.admissionMaxRatePerSec));
    // the minutes' own turnover figures say the same where the cap held
    const m3 = plan.minutes.find((x) => x.minute === 3)!;
    assert.equal(m3.turnoverPerSec, null, 'the sustained-rate run (10.1/s) never fills the cap');
  });

  it('gives no turnover curve where the cap never holds the cursor', () => {
    const plan = planCapacity({
      demand: patientCrowd(10_000),
      service: { ...roomy, admissionMaxRatePerSec: 20 },
      measured,
    });
    assert.notEqual(plan.admission.limitedBy, 'active-session-cap');
    assert.deepEqual(plan.admission.turnoverCurvePerSec, []);
  });

  it('plans no faster than Postgres takes bookings at the target utilisation', () => {
    const slowDb = { ...measured, postgres: { bookingTps: 100, cores: 2 } };
    const plan = planCapacity({
      demand: patientCrowd(10_000),
      service: { ...roomy, admissionMaxRatePerSec: 5_000 },
      measured: slowDb,
    });
    assert.equal(plan.admission.limitedBy, 'postgres');
    assert.equal(plan.admission.plannedRatePerSec, 60);
    assert.equal(plan.admission.openingRatePerSec, 60, 'Postgres bounds the opening too');
  });

  it('queues longer and needs more of everything for a bigger cohort', () => {
    const { demand, service } = planFromScenario(loadScenario('2021-07-19'), { scale: 0.1 });
    const small = planCapacity({ demand, service, measured, admissionRatePerSec: 100 });
    const big = planCapacity({
      demand: { ...demand, eligible: demand.eligible * 4 },
      service,
      measured,
      admissionRatePerSec: 100,
    });
    assert.ok(big.queue.peak > 3 * small.queue.peak);
    assert.ok(big.queue.drainedAtMinutes! > small.queue.drainedAtMinutes!);
    assert.ok(big.peak.joinRequestsPerSec > 3 * small.peak.joinRequestsPerSec);
    assert.ok(big.redis.memoryBytes > 3 * small.redis.memoryBytes);
    assert.ok(big.edge.snapshotCores > small.edge.snapshotCores);
  });

  it('counts every join request of the night: first joins, reloads, other devices', () => {
    const s = loadScenario('2021-07-19');
    const { demand, service } = planFromScenario(s, { scale: 0.1 });
    const plan = planCapacity({ demand, service, measured });
    // The scenario is tuned so that its arrivals match the recorded 6 M at full scale.
    const recordedAtScale = s.arrivals.recordedTotal * 0.1;
    assert.ok(
      Math.abs(plan.people.joinRequests - recordedAtScale) / recordedAtScale < 0.2,
      `${plan.people.joinRequests} join requests vs ${recordedAtScale} recorded`,
    );
  });
});

describe('the capacity plan: inputs', () => {
  it('scales a scenario as the simulator does', () => {
    const s = loadScenario('2021-08-09');
    const { demand, service } = planFromScenario(s, { scale: 0.1 });
    const sim = scaledService(s.service, 0.1);
    assert.equal(demand.eligible, Math.round(s.cohort.eligible * 0.1));
    assert.equal(service.admissionMaxRatePerSec, sim.admissionMaxRatePerSec);
    assert.equal(service.activeSessionCap, sim.activeSessionCap);
    assert.equal(planFromScenario(s, { eligible: 1234 }).demand.eligible, 1234);
  });

  it('reads the committed bench results, each phase from the last run that has it', () => {
    const runs = EXAMPLE_BENCH_RESULTS.map((file) => ({
      json: JSON.parse(readFileSync(file, 'utf8')) as unknown,
      file,
    }));
    const ok = measuredCapacityOf(runs);
    assert.ok(ok.ok, JSON.stringify(!ok.ok && ok.detail));
    assert.ok(ok.value.node.joinCpuUs > 0 && ok.value.postgres.bookingTps > 0);
    assert.match(ok.value.source.measuredAt, /^2026-11-30T/);
    // The front door comes from the first run (the only one with it), pgbench from the last.
    const first = runs[0]!.json as { frontDoor: { rows: { name: string; cpuUsPerAnswer: { node: number } }[] } };
    const last = runs[1]!.json as { pgbench: { result: { tps: number } }[] };
    assert.equal(ok.value.node.joinCpuUs, first.frontDoor.rows.find((r) => r.name === 'join')!.cpuUsPerAnswer.node);
    assert.equal(ok.value.postgres.bookingTps, Math.max(...last.pgbench.map((r) => r.result.tps)));
  });

  it('names what a results file lacks and which bench phase measures it', () => {
    const partial = measuredCapacityOf([{ json: { pgbench: [{ result: { tps: 900 } }] }, file: 'x.json' }]);
    assert.ok(!partial.ok);
    const missing = partial.detail!.missing as string[];
    assert.ok(missing.some((m) => m.includes('front door')));
    assert.ok(missing.some((m) => m.includes('peak phase')));
    assert.ok(!missing.some((m) => m.includes('pgbench')));
  });
});

describe('peakAndDrain', () => {
  it('finds the peak and the first time after it at or below the share', () => {
    const series = [0, 5, 100, 80, 40, 2, 0.5, 3].map((queue, atSec) => ({ atSec, queue }));
    assert.deepEqual(peakAndDrain(series, 0.01), { peak: 100, peakAtSec: 2, drainedAtSec: 6 });
    assert.deepEqual(peakAndDrain(series, 0.05), { peak: 100, peakAtSec: 2, drainedAtSec: 5 });
    assert.equal(peakAndDrain(series.slice(0, 5), 0.01).drainedAtSec, null);
  });
});
