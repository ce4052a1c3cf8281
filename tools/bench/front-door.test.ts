import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frontDoorTargets, joinBudgetFor, renderFrontDoor, type FrontDoorResult } from './front-door-report.ts';
import { parseWrk, rowOf } from './wrk.ts';

const LINE =
  'FRONTDOOR_JSON {"requests":1000,"durationUs":2000000,"statuses":{"200":600,"429 queue-busy":380},"retryAfter429":380,' +
  '"errors":{"connect":0,"read":0,"write":0,"status":380,"timeout":20},"latencyUs":{"p50":1500,"p90":9000,"p99":400000,"max":999000}}';

describe('front-door bench arithmetic', () => {
  it("reads wrk's line and counts a late answer (> 1 s) once, as not answered within 1 s", () => {
    // wrk counts an answer later than --timeout among the 980 answers AND as one of the 20 "timeouts"
    // (checked against Debian's wrk 4.1.0 with a server answering after 1.5 s: 3 requests, timeout 3).
    const row = rowOf('joins', parseWrk(`Running 2s test\n${LINE}\n`), { node: 300 });
    assert.equal(row.answersPerSec, 490);
    assert.equal(row.offeredPerSec, 490);
    assert.equal(row.shareWithin1s, 960 / 980);
    assert.deepEqual(row.classes, {
      '2xx': { count: 600, shareWithin1s: 600 / 980 },
      '429 queue-busy': { count: 380, shareWithin1s: 380 / 980 },
    });
    assert.equal(row.retryAfterShare, 1);
    assert.equal(row.cpuUsPerAnswer.node, (300 * 1000) / 980);
    assert.equal(row.latencyMs.p99, 400);
  });

  it("reads the open-loop generator's line: offered is what it sent, a request never answered counts against, one still in flight is left out", () => {
    // 1,000 sent: 970 answered (10 of them after 1 s), 20 never answered and sent over 1 s before the
    // end (in "timeout" with the late answers), 10 sent in the last second and not yet answered.
    const line =
      'FRONTDOOR_JSON {"requests":970,"durationUs":2000000,"statuses":{"200":570,"429 queue-busy (edge: rate)":400},"retryAfter429":400,' +
      '"errors":{"connect":0,"read":0,"write":0,"status":0,"timeout":30},"latencyUs":{"p50":1500,"p90":9000,"p99":400000,"max":1200000},' +
      '"openLoop":{"due":1100,"sent":1000,"inFlightAtEnd":10,"unansweredLate":20,"backlogMax":100,"connections":256,' +
      '"sendLagUs":{"p50":500,"p99":90000,"max":120000},"generatorCpuUs":50000}}';
    const row = rowOf('overload', parseWrk(line), { node: 100, nginx: 50 });
    assert.equal(row.offeredPerSec, 500, 'sent ÷ seconds, not the 1,100 due');
    assert.equal(row.shareWithin1s, 960 / 990);
    assert.equal(row.timeouts, 30);
    const text = renderFrontDoor({
      rows: [],
      originSnapshotPerSec: 0,
      joinCapacityPerSec: 100,
      budget: { perSec: 90, why: '' },
      edgeJoinRatePerSec: 90,
      overload: row,
      durationSec: 2,
      overloadSec: 2,
      targets: [],
    });
    assert.match(text, /due 550\/s, sent 500\/s on 256 connections/);
    assert.match(text, /its CPU 50\.0 µs per request sent/);
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
    assert.equal(offered.pass, false, '490/s offered is 1.23x of 400/s');
  });

  it("judges the overload by the edge's log too, and says how many of wrk's timeouts the edge did not see", () => {
    const row = rowOf('overload', parseWrk(LINE), { node: 1 });
    const edge = {
      requests: 1_000,
      answeredWithin1s: 985,
      answeredLate: 5,
      clientClosed: 10,
      fiveXx: 0,
      byEdge: 400,
      originOver1s: 3,
      originMaxSec: 1.2,
    };
    const res: FrontDoorResult = {
      rows: [],
      originSnapshotPerSec: 0.5,
      joinCapacityPerSec: 400,
      budget: { perSec: 1, why: '' },
      edgeJoinRatePerSec: 360,
      overload: row,
      overloadEdge: edge,
      durationSec: 8,
      targets: [],
    };
    const byLog = frontDoorTargets(res).find((t) => t.name.includes("edge's log"))!;
    // 985 of the 990 not still open at the end (499) when wrk stopped.
    assert.deepEqual([byLog.measured, byLog.pass], ['99.49 %', true]);
    assert.equal(
      frontDoorTargets({ ...res, overloadEdge: { ...edge, answeredWithin1s: 975, answeredLate: 15 } }).find((t) =>
        t.name.includes("edge's log"),
      )!.pass,
      false,
    );
    // wrk read 20 answers late; the edge answered 5 late: 15 were late between the edge and wrk.
    const text = renderFrontDoor(res);
    assert.match(
      text,
      /the generator read 20 answers later than 1 s \(or never\): 15 more than the edge answered late/,
    );
    assert.match(text, /10 of them still open when the generator stopped/);
  });
});
