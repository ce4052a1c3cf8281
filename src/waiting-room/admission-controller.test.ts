import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedClock } from '../platform/clock.ts';
import {
  createAdmissionController,
  rampSeconds,
  type AdmissionControllerSettings,
  type BookingHealth,
} from './admission-controller.ts';

const healthy: BookingHealth = { p99Ms: 200, errorRate: 0 };
const slow: BookingHealth = { p99Ms: 2_000, errorRate: 0 };
const failing: BookingHealth = { p99Ms: 200, errorRate: 0.2 };
const quiet: BookingHealth = { p99Ms: null, errorRate: null };
const busyQueue = { activeSessions: 0, claimedTotal: 0, waiting: 1_000_000 };

function newController(settings: Partial<AdmissionControllerSettings> = {}) {
  const clock = fixedClock(0);
  const controller = createAdmissionController({
    clock,
    settings: {
      initialRatePerSec: 100,
      minRatePerSec: 5,
      maxRatePerSec: 1_000,
      increasePerSec: 10,
      decreaseFactor: 0.5,
      adjustEveryMs: 1_000,
      claimWindowMs: 4_000,
      activeSessionCap: 10_000,
      ...settings,
    },
  });
  return { clock, controller };
}

describe('admission controller', () => {
  it('admits rate × elapsed time, carrying fractions between ticks', () => {
    const { clock, controller } = newController();
    assert.equal(controller.tick({ ...busyQueue, health: quiet }).admit, 0, 'the first tick has no elapsed time');
    let total = 0;
    for (let i = 0; i < 10; i += 1) {
      clock.advance(105);
      total += controller.tick({ ...busyQueue, claimedTotal: total, health: quiet }).admit;
    }
    assert.equal(total, 105, '100/s over 1.05 s');
  });

  it('never admits past the active-session cap', () => {
    const { clock, controller } = newController({ activeSessionCap: 50 });
    controller.tick({ ...busyQueue, health: quiet });
    clock.advance(1_000);
    const d = controller.tick({ ...busyQueue, activeSessions: 45, health: quiet });
    assert.deepEqual([d.admit, d.limitedBy], [5, 'cap']);
  });

  it('counts people reached but not yet claimed against the cap', () => {
    const { clock, controller } = newController({ activeSessionCap: 150 });
    controller.tick({ ...busyQueue, health: quiet });
    clock.advance(1_000);
    assert.equal(controller.tick({ ...busyQueue, health: quiet }).admit, 100);
    clock.advance(1_000);
    const d = controller.tick({ ...busyQueue, claimedTotal: 20, activeSessions: 20, health: quiet });
    assert.deepEqual([d.pendingClaims, d.admit, d.limitedBy], [80, 50, 'cap']);
  });

  it('admits no more than are waiting', () => {
    const { clock, controller } = newController();
    controller.tick({ ...busyQueue, health: quiet });
    clock.advance(1_000);
    const d = controller.tick({ ...busyQueue, waiting: 7, health: quiet });
    assert.deepEqual([d.admit, d.limitedBy], [7, 'queue-empty']);
  });

  it('raises the rate additively while the booking path is healthy and the rate is what holds people back', () => {
    const { clock, controller } = newController();
    controller.tick({ ...busyQueue, health: healthy });
    for (let i = 0; i < 3; i += 1) {
      clock.advance(1_000);
      controller.tick({ ...busyQueue, health: healthy });
    }
    assert.equal(controller.state().ratePerSec, 130, 'one adjustment a second: 100 → 110 → 120 → 130');
  });

  it('cuts the rate multiplicatively on high p99 latency or errors', () => {
    const { clock, controller } = newController();
    controller.tick({ ...busyQueue, health: slow });
    clock.advance(1_000);
    assert.equal(controller.tick({ ...busyQueue, health: slow }).adjustment, 'decrease');
    assert.equal(controller.state().ratePerSec, 50);
    clock.advance(1_000);
    controller.tick({ ...busyQueue, health: failing });
    assert.equal(controller.state().ratePerSec, 25);
  });

  it('holds the rate when no booking traffic was observed, and never goes below the minimum', () => {
    const { clock, controller } = newController({ initialRatePerSec: 6 });
    controller.tick({ ...busyQueue, health: quiet });
    clock.advance(1_000);
    assert.equal(controller.tick({ ...busyQueue, health: quiet }).adjustment, 'hold');
    clock.advance(1_000);
    controller.tick({ ...busyQueue, health: slow });
    assert.equal(controller.state().ratePerSec, 5);
  });

  it('does not raise the rate when the queue, not the rate, was the limit', () => {
    const { clock, controller } = newController();
    controller.tick({ ...busyQueue, waiting: 0, health: healthy });
    clock.advance(1_000);
    controller.tick({ ...busyQueue, waiting: 0, health: healthy });
    clock.advance(1_000);
    controller.tick({ ...busyQueue, waiting: 0, health: healthy });
    assert.equal(controller.state().ratePerSec, 100);
  });

  it('admits nobody while paused and resumes without a burst', () => {
    const { clock, controller } = newController();
    controller.tick({ ...busyQueue, health: quiet });
    controller.pause();
    clock.advance(1_000);
    assert.deepEqual(controller.tick({ ...busyQueue, health: quiet }).admit, 0);
    clock.advance(10_000);
    controller.resume();
    assert.equal(
      controller.tick({ ...busyQueue, health: quiet }).admit,
      200,
      'at most maxTickGapMs (2 s) worth after a long gap',
    );
  });

  it('keeps a pinned rate whatever the booking path shows, until unpinned', () => {
    const { clock, controller } = newController();
    controller.pinRate(300);
    controller.tick({ ...busyQueue, health: slow });
    clock.advance(1_000);
    const d = controller.tick({ ...busyQueue, health: slow });
    assert.deepEqual([d.admit, d.adjustment, controller.state().ratePerSec], [300, 'pinned', 300]);
    controller.pinRate(null);
    clock.advance(1_000);
    controller.tick({ ...busyQueue, health: slow });
    assert.equal(controller.state().ratePerSec, 150);
  });

  it('admits no more people than seats are left, and stops when they run out', () => {
    const { clock, controller } = newController({ initialRatePerSec: 1_000 });
    controller.tick({ ...busyQueue, health: quiet, seatsLeft: 50 });
    clock.advance(1_000);
    const first = controller.tick({ ...busyQueue, activeSessions: 20, health: quiet, seatsLeft: 50 });
    assert.equal(first.admit, 30, 'seats left minus the sessions already booking');
    assert.equal(first.limitedBy, 'sold-out');
    clock.advance(1_000);
    const none = controller.tick({ ...busyQueue, activeSessions: 0, claimedTotal: 0, health: quiet, seatsLeft: 0 });
    assert.deepEqual([none.admit, none.limitedBy], [0, 'sold-out']);
    clock.advance(1_000);
    const back = controller.tick({
      ...busyQueue,
      activeSessions: 0,
      claimedTotal: 30,
      health: quiet,
      seatsLeft: 5_000,
    });
    assert.ok(back.admit > 0 && back.limitedBy !== 'sold-out', 'admission resumes when seats come back');
  });

  it('says how long admitting a number of places takes as it climbs, and not after a decrease or when pinned', () => {
    // 2021-07-19 at 1/100: 5/s rising by 25/s every 2 s to 50/s: 2 s at 5, 2 s at 30, then 930 at 50/s
    const night = { increasePerSec: 25, adjustEveryMs: 2_000, maxRatePerSec: 50 };
    assert.equal(rampSeconds(1_000, 5, night), 22.6);
    assert.equal(rampSeconds(8, 5, night), 1.6, 'within the first period: the rate now');
    assert.equal(rampSeconds(1_000, 5, night, true), 200, 'held: the rate now throughout');
    assert.equal(rampSeconds(1_000, 80, night), 12.5, 'above the ceiling (an operator pin undone): no climb, no fall');
    assert.equal(rampSeconds(0, 0, night), 0);
    assert.equal(rampSeconds(10, 0, { ...night, maxRatePerSec: 0 }), Number.POSITIVE_INFINITY);

    const { clock, controller } = newController();
    // 100/s, +10/s a second up to 1,000: 90 s to climb, 49,050 places on the way
    assert.equal(controller.secondsToAdmit(49_050), 90);
    controller.tick({ ...busyQueue, health: healthy });
    clock.advance(1_000);
    assert.equal(controller.tick({ ...busyQueue, health: slow }).adjustment, 'decrease');
    assert.equal(controller.secondsToAdmit(500), 10, 'after a decrease: 50/s now, no climb assumed');
    clock.advance(1_000);
    assert.equal(controller.tick({ ...busyQueue, health: healthy }).adjustment, 'increase');
    assert.ok(controller.secondsToAdmit(500) < 500 / 60, 'climbing again');
    controller.pinRate(20);
    assert.equal(controller.secondsToAdmit(500), 25, 'pinned');
  });

  it('says it awaits its first booking signal until traffic is seen, and how long a climb takes after a hold', () => {
    const night = { increasePerSec: 25, adjustEveryMs: 2_000, maxRatePerSec: 50 };
    // 10 s held at 5/s (50 places), then the climb of 22.6 s for 1,000 from 5/s over the 950 left
    assert.equal(rampSeconds(1_000, 5, night, false, 10), 10 + rampSeconds(950, 5, night));
    assert.equal(rampSeconds(40, 5, night, false, 10), 8, 'within the hold: the rate now');
    assert.equal(rampSeconds(1_000, 5, night, true, 10), 200, 'held anyway: no hold added');

    const { clock, controller } = newController();
    assert.equal(controller.isAwaitingSignal(), true);
    controller.tick({ ...busyQueue, health: quiet });
    clock.advance(5_000);
    assert.equal(controller.tick({ ...busyQueue, health: quiet }).adjustment, 'hold');
    assert.equal(controller.isAwaitingSignal(), true, 'no booking traffic yet');
    clock.advance(5_000);
    controller.tick({ ...busyQueue, health: healthy });
    assert.equal(controller.isAwaitingSignal(), false);
    clock.advance(5_000);
    controller.tick({ ...busyQueue, health: quiet });
    assert.equal(controller.isAwaitingSignal(), false, 'a quiet spell later is not the start');
    const pinned = newController().controller;
    pinned.pinRate(10);
    assert.equal(pinned.isAwaitingSignal(), false, 'a pinned rate does not wait for anything');
  });

  it('limits the people in session after a slow spell, once per signal window, and lets the limit grow back', () => {
    const { clock, controller } = newController({ activeSessionCap: 5_000, signalWindowMs: 10_000 });
    const load = { ...busyQueue, activeSessions: 3_000, claimedTotal: 3_000 };
    controller.tick({ ...load, health: healthy });
    clock.advance(1_000);
    controller.tick({ ...load, health: slow });
    assert.equal(controller.state().sessionLimit, 2_700, '0.9 × the 3,000 in session');
    for (let i = 0; i < 9; i += 1) {
      clock.advance(1_000);
      controller.tick({ ...load, activeSessions: 2_700, health: slow });
    }
    assert.equal(controller.state().sessionLimit, 2_700, 'no second cut on the same window of latencies');
    clock.advance(1_000);
    const cut = controller.tick({ ...load, activeSessions: 2_700, health: slow });
    assert.equal(controller.state().sessionLimit, 2_430, 'a window later, still slow: cut again');
    assert.deepEqual([cut.admit, cut.limitedBy], [0, 'cap'], 'nobody new while the limit is full');
    clock.advance(1_000);
    controller.tick({ ...load, activeSessions: 2_430, health: healthy });
    assert.equal(controller.state().sessionLimit, 2_454, 'healthy and the limit held people back: +1 %');
    assert.equal(controller.capacity().activeSessionCap, 2_454, 'the headroom the ETA reads is the limit now');
    for (let i = 0; i < 60; i += 1) {
      clock.advance(10_000);
      controller.tick({ ...load, activeSessions: controller.state().sessionLimit, health: slow });
    }
    assert.equal(controller.state().sessionLimit, 500, 'slow for ten minutes: never below 10 % of the cap');
    controller.pinRate(200);
    assert.equal(controller.state().sessionLimit, 5_000, 'an operator who pins the rate takes over: back to the cap');
  });

  it('never cuts the rate below a share of the sessions ending while the path is slow but working', () => {
    const { clock, controller } = newController({
      initialRatePerSec: 400,
      decreaseFactor: 0.7,
      activeSessionCap: 100_000,
    });
    // 2,000 in session, 100 of them ending each second and replaced: the path still books.
    let claimed = 0;
    for (let i = 0; i <= 20; i += 1) {
      controller.tick({ ...busyQueue, activeSessions: 2_000, claimedTotal: claimed, health: slow });
      claimed += 100;
      clock.advance(1_000);
    }
    assert.equal(controller.state().ratePerSec, 70, 'held at 0.7 × 100 ending per second, not the 5/s floor');
    for (let i = 0; i <= 10; i += 1) {
      controller.tick({ ...busyQueue, activeSessions: 2_000, claimedTotal: claimed, health: failing });
      claimed += 100;
      clock.advance(1_000);
    }
    assert.equal(controller.state().ratePerSec, 5, 'server errors: no floor');
  });

  it('keeps admitting at the load the booking path can take when sessions last a minute', () => {
    // A booking path whose p99 rises with the people in session, read over a 10 s window (the
    // monitor's): 300 ms up to 3,000 in session, +0.5 ms per person above. Sessions last 30-90 s.
    // Cut on each slow reading, the rate went to its 5/s floor and back every two minutes (71 % of
    // seconds over target, 17 admissions a second in the worst minute for a mean of 65).
    const { clock, controller } = newController({
      initialRatePerSec: 100,
      increasePerSec: 25,
      decreaseFactor: 0.7,
      adjustEveryMs: 2_000,
      maxRatePerSec: 5_000,
      activeSessionCap: 20_000,
    });
    let seed = 1;
    const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
    const ends = new Map<number, number>();
    const loads: number[] = [];
    let active = 0;
    let claimed = 0;
    let slowSeconds = 0;
    let admittedThisMinute = 0;
    const perMinute: number[] = [];
    for (let t = 0; t <= 900_000; t += 250) {
      clock.set(t);
      active -= ends.get(t) ?? 0;
      ends.delete(t);
      loads.push(active);
      if (loads.length > 40) loads.shift();
      const p99Ms = 300 + Math.max(0, Math.max(...loads) - 3_000) * 0.5;
      const d = controller.tick({
        activeSessions: active,
        claimedTotal: claimed,
        waiting: 1e9,
        health: { p99Ms, errorRate: 0 },
      });
      active += d.admit;
      claimed += d.admit;
      for (let i = 0; i < d.admit; i += 1) {
        const at = t + 250 * Math.round((30_000 + random() * 60_000) / 250);
        ends.set(at, (ends.get(at) ?? 0) + 1);
      }
      if (t < 120_000) continue;
      admittedThisMinute += d.admit;
      if (t % 1_000 === 0 && p99Ms > 800) slowSeconds += 1;
      if (t % 60_000 === 0 && t > 120_000) {
        perMinute.push(admittedThisMinute / 60);
        admittedThisMinute = 0;
      }
    }
    const mean = perMinute.reduce((a, b) => a + b, 0) / perMinute.length;
    assert.ok(slowSeconds / 780 < 0.3, `p99 over target in ${slowSeconds} of 780 s`);
    assert.ok(mean > 50, `admitted ${mean.toFixed(1)}/s on average (the path takes ~60/s at 3,000-3,500 in session)`);
    assert.ok(Math.min(...perMinute) > 0.75 * mean, `admissions per second by minute: ${perMinute.map(Math.round)}`);
  });
});
