import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frontDoorTargets, joinBudgetFor, type FrontDoorResult } from './front-door-report.ts';
import { parseWrk, rowOf } from './wrk.ts';

const LINE =
  'FRONTDOOR_JSON {"requests":1000,"durationUs":2000000,"statuses":{"200":600,"429 queue-busy":380},"retryAfter429":380,' +
  '"errors":{"connect":0,"read":0,"write":0,"status":380,"timeout":20},"latencyUs":{"p50":1500,"p90":9000,"p99":400000,"max":999000}}';

describe('front-door bench arithmetic', () => {
  it("reads wrk's line and counts a timeout (> 1 s) as not answered within 1 s", () => {
    const row = rowOf('joins', parseWrk(`Running 2s test\n${LINE}\n`), { node: 300 });
    assert.equal(row.answersPerSec, 490);
    assert.equal(row.offeredPerSec, 500);
    assert.equal(row.shareWithin1s, 0.98);
    assert.deepEqual(row.classes, {
      '2xx': { count: 600, shareWithin1s: 0.6 },
      '429 queue-busy': { count: 380, shareWithin1s: 0.38 },
    });
    assert.equal(row.retryAfterShare, 1);
    assert.equal(row.cpuUsPerAnswer.node, (300 * 1000) / 980);
    assert.equal(row.latencyMs.p99, 400);
  });

  it('refuses output without its line', () => {
    assert.throws(() => parseWrk('Running 2s test\n'), /FRONTDOOR_JSON/);
  });

  it('sizes the join budget so joins and the refusals of a 5x overload fit in 90 % of a core', () => {
    const b = joinBudgetFor({ joinCapacityPerSec: 3_000, joinCpuUs: 200, refusalCpuUs: 40, overloadFactor: 5 });
    // (0.9e6 − 5·3000·40) / (200 − 40) = 1875; 0.9·3000 = 2700
    assert.equal(b.perSec, 1_875);
    assert.equal(
      joinBudgetFor({ joinCapacityPerSec: 1_000, joinCpuUs: 200, refusalCpuUs: 10, overloadFactor: 5 }).perSec,
      900,
      'never above 90 % of capacity',
    );
  });

  it('does not pass the overload targets when the load generator offered less than 5x', () => {
    const row = rowOf('overload', parseWrk(LINE), { node: 1 });
    const res: FrontDoorResult = {
      rows: [],
      originSnapshotPerSec: 0.5,
      joinCapacityPerSec: 400,
      budget: { perSec: 1, why: '' },
      edgeJoinRatePerSec: 360,
      overload: row,
      durationSec: 8,
      targets: [],
    };
    const offered = frontDoorTargets(res).find((t) => t.name.includes('really offered'))!;
    assert.equal(offered.pass, false, '500/s offered is 1.25x of 400/s');
  });
});
