import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedClock } from '../platform/clock.ts';
import { createAdmissionController, type BookingHealth } from './admission-controller.ts';
import {
  decideLaneAdmission,
  laneAllowance,
  lanePerWindow,
  laneRetryAfterMs,
  LANE_WINDOW_MS,
  type LaneRoomState,
} from './agent-lane.ts';

const OPENS = 1_000_000;
const running: LaneRoomState = { opensAtMs: OPENS, isPaused: false, ratePerSec: 100 };
const quiet: BookingHealth = { p99Ms: null, errorRate: null };

/** Admits through the lane whenever the decision allows, every `everyMs` from `fromMs` to `toMs`. */
function driveLane(o: { sharePercent: number; room: LaneRoomState; fromMs: number; toMs: number; everyMs: number }) {
  const admitted: number[] = [];
  for (let t = o.fromMs; t < o.toMs; t += o.everyMs) {
    const d = decideLaneAdmission({
      quota: { sharePercent: o.sharePercent },
      room: o.room,
      usedInWindow: admitted.filter((a) => a > t - LANE_WINDOW_MS).length,
      nowMs: t,
    });
    if (d.ok) admitted.push(t);
  }
  return admitted;
}

describe('phone lane quota', () => {
  it('allows share × rate × window admissions per window, at least one while share and rate are above zero', () => {
    assert.equal(lanePerWindow({ sharePercent: 10 }, 100), 600);
    assert.equal(lanePerWindow({ sharePercent: 1 }, 0.5), 1, 'a slow campaign still takes calls');
    assert.equal(lanePerWindow({ sharePercent: 0 }, 100), 0);
    assert.equal(lanePerWindow({ sharePercent: 90 }, 100), 3_000, 'capped at half the rate');
    assert.equal(lanePerWindow(null, 100), 0);
  });

  it('is closed without a quota, shut before the opening, and paused with the campaign', () => {
    const at = (nowMs: number, room = running, sharePercent = 5) =>
      decideLaneAdmission({ quota: { sharePercent }, room, usedInWindow: 0, nowMs });
    assert.equal(decideLaneAdmission({ quota: null, room: running, usedInWindow: 0, nowMs: OPENS }).ok, false);
    assert.deepEqual(at(OPENS, running, 0), { ok: false, reason: 'lane-closed' });
    assert.deepEqual(at(OPENS - 1), { ok: false, reason: 'lane-not-open', detail: { opensAtMs: OPENS } });
    assert.deepEqual(at(OPENS, { ...running, isPaused: true }), { ok: false, reason: 'lane-paused' });
    assert.equal(at(OPENS).ok, true);
  });

  it('never admits more than its share of the rate over any window, however hard the agents press (no jumping)', () => {
    // 20 agents pressing 10 times a second for 5 minutes at 5 % of 100/s.
    const admitted = driveLane({ sharePercent: 5, room: running, fromMs: OPENS, toMs: OPENS + 300_000, everyMs: 5 });
    const perWindow = lanePerWindow({ sharePercent: 5 }, running.ratePerSec);
    assert.equal(perWindow, 300);
    for (let i = 0; i + perWindow < admitted.length; i += 1)
      assert.ok(admitted[i + perWindow]! - admitted[i]! >= LANE_WINDOW_MS, `window at ${admitted[i]} over its share`);
    assert.equal(admitted.length, perWindow * 5, 'and uses all of it, window after window (no starving)');
  });

  it('tells a refused agent how many admissions must leave the window, and when the last of them does', () => {
    const d = decideLaneAdmission({
      quota: { sharePercent: 1 },
      room: { ...running, ratePerSec: 2 },
      usedInWindow: 2,
      nowMs: OPENS + 20_000,
    });
    assert.equal(lanePerWindow({ sharePercent: 1 }, 2), 1);
    assert.equal(!d.ok && d.reason, 'lane-full');
    // Two in the window, one allowed (the rate dropped since): the two oldest must leave.
    assert.equal(!d.ok && d.detail?.mustLeave, 2);
    assert.equal(laneRetryAfterMs(OPENS + 10_000, OPENS + 20_000), 50_000);
    assert.equal(laneRetryAfterMs(OPENS - LANE_WINDOW_MS, OPENS), 1, 'never zero');
  });

  it('reports its allowance and use in the window ending now (none while paused)', () => {
    const a = laneAllowance({ quota: { sharePercent: 10 }, room: running, usedInWindow: 2, nowMs: OPENS });
    assert.deepEqual(a, { perWindow: 600, usedInWindow: 2, windowMs: LANE_WINDOW_MS });
    const paused = laneAllowance({
      quota: { sharePercent: 10 },
      room: { ...running, isPaused: true },
      usedInWindow: 0,
      nowMs: OPENS,
    });
    assert.equal(paused.perWindow, 0);
  });
});

describe('admission controller with a phone lane', () => {
  const busyQueue = { activeSessions: 0, claimedTotal: 0, waiting: 1_000_000, health: quiet };

  function run(o: { laneEveryTick: number; ticks: number }) {
    const clock = fixedClock(0);
    const controller = createAdmissionController({
      clock,
      settings: { initialRatePerSec: 100, adjustEveryMs: 1_000_000, activeSessionCap: 1_000_000 },
    });
    controller.tick({ ...busyQueue });
    let queue = 0;
    for (let i = 0; i < o.ticks; i += 1) {
      clock.advance(100);
      queue += controller.tick({ ...busyQueue, laneAdmitted: o.laneEveryTick }).admit;
    }
    return queue;
  }

  it("takes the lane's admissions off the queue's allowance: together they admit at the rate", () => {
    // 10 s at 100/s = 1,000; the lane admits 1 per 100 ms tick = 100 → the queue gets 900.
    assert.equal(run({ laneEveryTick: 0, ticks: 100 }), 1_000);
    assert.equal(run({ laneEveryTick: 1, ticks: 100 }), 900);
  });

  it('carries a lane burst larger than one tick as a debt, not a loss for the lane or a gift to the queue', () => {
    const clock = fixedClock(0);
    const controller = createAdmissionController({
      clock,
      settings: { initialRatePerSec: 100, adjustEveryMs: 1_000_000, activeSessionCap: 1_000_000 },
    });
    controller.tick({ ...busyQueue });
    clock.advance(100);
    assert.equal(controller.tick({ ...busyQueue, laneAdmitted: 25 }).admit, 0, '10 allowed, 25 taken by the lane');
    clock.advance(100);
    assert.equal(controller.tick({ ...busyQueue }).admit, 0, 'the debt of 15 is paid first');
    clock.advance(100);
    assert.equal(controller.tick({ ...busyQueue }).admit, 5);
    clock.advance(100);
    assert.equal(controller.tick({ ...busyQueue }).admit, 10);
  });

  it('a lane admission while the queue is empty costs the queue nothing later', () => {
    const clock = fixedClock(0);
    const controller = createAdmissionController({
      clock,
      settings: { initialRatePerSec: 100, adjustEveryMs: 1_000_000, activeSessionCap: 1_000_000 },
    });
    controller.tick({ ...busyQueue, waiting: 0 });
    clock.advance(1_000);
    controller.tick({ ...busyQueue, waiting: 0, laneAdmitted: 20 });
    clock.advance(100);
    assert.equal(controller.tick({ ...busyQueue }).admit, 11, '10 for this tick + the carried fraction');
  });
});
