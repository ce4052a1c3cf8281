import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedClock } from '../platform/clock.ts';
import { createMetrics } from '../platform/metrics.ts';
import { createAdmissionController } from '../waiting-room/admission-controller.ts';
import { createBookingPathMonitor } from './booking-path-monitor.ts';

/**
 * Drives a monitor and an admission controller for `seconds` of virtual time; each second `traffic`
 * records what the booking routes saw. Returns the admission rate at the end.
 */
function rateAfter(seconds: number, traffic: (m: ReturnType<typeof createBookingPathMonitor>) => void) {
  const clock = fixedClock(1_000_000);
  const monitor = createBookingPathMonitor(clock, createMetrics({ defaultMetrics: false }));
  const controller = createAdmissionController({
    clock,
    settings: { initialRatePerSec: 100, minRatePerSec: 5, adjustEveryMs: 2_000 },
  });
  const queue = { activeSessions: 0, claimedTotal: 0, waiting: 0 };
  for (let s = 0; s < seconds; s += 1) {
    for (let tick = 0; tick < 5; tick += 1) {
      clock.advance(200);
      if (tick === 0) traffic(monitor);
      controller.tick({ ...queue, health: monitor.health() });
    }
  }
  return controller.state().ratePerSec;
}

const healthyAdmitted = (m: ReturnType<typeof createBookingPathMonitor>, people: number) => {
  for (let i = 0; i < people; i += 1) m.recordAdmitted(`person-${i}`, 120, 201);
};

describe('booking path monitor → admission rate', () => {
  it('leaves the admission rate where it was during a 500 storm from one person on routes without admission', () => {
    // Issue 11: PATCH /api/bookings/<own> with {"slotId":1e20}, 9 a second, each a 500.
    const rate = rateAfter(30, (m) => {
      healthyAdmitted(m, 40);
      for (let i = 0; i < 9; i += 1) m.recordRequest(3, 500);
    });
    assert.equal(rate, 100);
  });

  it("caps one admitted identity's weight: its 500s at 9/s do not move the rate", () => {
    const rate = rateAfter(30, (m) => {
      healthyAdmitted(m, 200);
      for (let i = 0; i < 9; i += 1) m.recordAdmitted('attacker', 3, 500);
    });
    assert.equal(rate, 100);
  });

  it('still slows admission when the booking path fails for many admitted people', () => {
    const rate = rateAfter(30, (m) => {
      for (let i = 0; i < 200; i += 1) m.recordAdmitted(`person-${i}`, 120, i % 10 === 0 ? 503 : 201);
    });
    assert.equal(rate, 5, 'a real 10 % failure rate drives the rate to its floor');
  });

  it('ignores client errors (4xx) of admitted work', () => {
    const rate = rateAfter(30, (m) => {
      for (let i = 0; i < 200; i += 1) m.recordAdmitted(`person-${i}`, 120, i % 2 === 0 ? 409 : 201);
    });
    assert.equal(rate, 100);
  });

  it('gives no signal (the controller holds) while fewer than 5 identities were admitted', () => {
    const clock = fixedClock(0);
    const monitor = createBookingPathMonitor(clock, createMetrics({ defaultMetrics: false }));
    for (let i = 0; i < 4; i += 1) monitor.recordAdmitted(`p${i}`, 10, 500);
    assert.deepEqual(monitor.health(), { p99Ms: null, errorRate: null });
    monitor.recordAdmitted('p4', 10, 500);
    assert.deepEqual(monitor.health(), { p99Ms: 10, errorRate: 1 });
  });

  it('keeps every request in the console snapshot', () => {
    const clock = fixedClock(0);
    const monitor = createBookingPathMonitor(clock, createMetrics({ defaultMetrics: false }));
    monitor.recordRequest(5, 500);
    monitor.recordRequest(5, 200);
    assert.equal(monitor.snapshot().errorRate, 0.5);
  });
});
