import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateTargets, judge, ratio, type Measured } from './targets.ts';

const all: Measured = {
  pgbenchTps: 6_000,
  redisJoinEvalshaPerSec: 80_000,
  redisGetPerSec: 100_000,
  bookingsPerSec: 3_100,
  joinPerSec: 45_000,
  pollPerSec: 150_000,
  overloadWithRoom: { goodputPerSec: 3_000, p99AdmittedMs: 250, status5xx: 0 },
  serviceCpuMsPerBooking: 0.35,
  postgresCpuMsPerBooking: 0.5,
  pgbenchPostgresCpuMsPerTx: 0.45,
};
const verdicts = (m: Measured) => Object.fromEntries(evaluateTargets(m).map((t) => [t.id, t.verdict]));

describe('ratio', () => {
  it('divides, and is null without a usable baseline', () => {
    assert.equal(ratio(3, 6), 0.5);
    assert.equal(ratio(3, 0), null);
    assert.equal(ratio(null, 6), null);
    assert.equal(ratio(3, Number.NaN), null);
  });
});

describe('judge', () => {
  it('passes at the threshold and misses beyond it', () => {
    assert.equal(judge(0.5, '>=', 0.5), 'PASS');
    assert.equal(judge(0.49, '>=', 0.5), 'MISS');
    assert.equal(judge(300, '<=', 300), 'PASS');
    assert.equal(judge(301, '<=', 300), 'MISS');
    assert.equal(judge(null, '>=', 1), 'n/a');
  });
});

describe('evaluateTargets', () => {
  it('passes every target when every number clears it', () => {
    assert.ok(Object.values(verdicts(all)).every((v) => v === 'PASS'));
  });
  it('misses the absolute target below 2,000 bookings/s even when the ratio passes', () => {
    const v = verdicts({ ...all, pgbenchTps: 3_000, bookingsPerSec: 1_900 });
    assert.equal(v['bookings-vs-pgbench'], 'PASS');
    assert.equal(v['bookings-absolute'], 'MISS');
  });
  it('misses overload goodput under 95 % of peak, a slow p99, and any 5xx', () => {
    const v = verdicts({ ...all, overloadWithRoom: { goodputPerSec: 2_900, p99AdmittedMs: 400, status5xx: 1 } });
    assert.equal(v['overload-goodput'], 'MISS');
    assert.equal(v['overload-p99'], 'MISS');
    assert.equal(v['overload-5xx'], 'MISS');
  });
  it('never passes what was not measured', () => {
    const v = verdicts({ ...all, pgbenchTps: null, overloadWithRoom: null });
    assert.equal(v['bookings-vs-pgbench'], 'n/a');
    assert.equal(v['overload-goodput'], 'n/a');
    assert.equal(v['overload-5xx'], 'n/a');
  });
});

describe('CPU per booking targets', () => {
  it('misses service CPU over 0.4 ms and Postgres CPU over 1.2x pgbench per transaction; n/a when not measured', () => {
    const v = verdicts({ ...all, serviceCpuMsPerBooking: 1.2, postgresCpuMsPerBooking: 0.6 });
    assert.equal(v['service-cpu-per-booking'], 'MISS');
    assert.equal(v['postgres-cpu-vs-pgbench'], 'MISS');
    const none = verdicts({ ...all, serviceCpuMsPerBooking: null, pgbenchPostgresCpuMsPerTx: null });
    assert.equal(none['service-cpu-per-booking'], 'n/a');
    assert.equal(none['postgres-cpu-vs-pgbench'], 'n/a');
  });
});
