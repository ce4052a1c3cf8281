import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedClock } from '../platform/clock.ts';
import { createAdmissionController, type BookingHealth } from './admission-controller.ts';
import { controllerSettingsOf } from './waiting-room.wiring.ts';

const slow: BookingHealth = { p99Ms: 2_000, errorRate: 0 };
const config = { admissionInitialRatePerSec: 100, admissionMaxRatePerSec: 1_000, activeSessionCap: 5_000 };

/** The session limit after ten minutes of a slow booking path with the limit full. */
function limitAfterTenSlowMinutes(activeSessionFloor: number): number {
  const clock = fixedClock(0);
  const controller = createAdmissionController({
    clock,
    settings: controllerSettingsOf({ ...config, activeSessionFloor }),
  });
  for (let i = 0; i < 60; i += 1) {
    clock.advance(10_000);
    const active = controller.state().sessionLimit;
    controller.tick({ activeSessions: active, claimedTotal: active, waiting: 1_000_000, health: slow });
  }
  return controller.state().sessionLimit;
}

describe('waiting room wiring: ACTIVE_SESSION_FLOOR', () => {
  it('is the fewest people in session a slow path cuts the limit to; unset, 10 % of the cap; at most the cap', () => {
    assert.equal(limitAfterTenSlowMinutes(4_000), 4_000);
    assert.equal(limitAfterTenSlowMinutes(0), 500);
    assert.equal(limitAfterTenSlowMinutes(9_000), 5_000, 'a floor above the cap holds the limit at the cap');
  });
});
