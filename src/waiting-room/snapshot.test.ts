import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createAdmissionMeter,
  createRateMeter,
  estimateHeadroom,
  estimateRate,
  etaBand,
  estimatePreRoomSeq,
  nextPollMs,
  progressOf,
  atLeastRate,
  scaleBand,
  secondsToPass,
  headroomSeconds,
  curveAt,
  confirmedShare,
  SHAPE_JUDGED_FALL,
  SHAPE_PRIOR_SHARE,
  estimateShape,
  secondsAtShapedRate,
  turnoverShape,
  withHeadroom,
  withShape,
  type RateBand,
} from './snapshot.ts';
import { PRE_SCORE_RANGE } from './waiting-room.store.ts';

const poll = { minPollMs: 1_000, maxPollMs: 10_000, pollFraction: 0.25 };

describe('snapshot arithmetic', () => {
  it('measures the admission rate from cursor movement, with a band for the drift a wait may see', () => {
    const meter = createRateMeter(60);
    assert.equal(meter.band(), null);
    const perSecond = [100, 100, 50, 150, 100, 100, 100, 100, 100, 100];
    let cursor = 0;
    meter.observe(0, 0);
    perSecond.forEach((n, i) => {
      cursor += n;
      meter.observe((i + 1) * 1_000, cursor);
    });
    const band = meter.band()!;
    assert.equal(band.meanPerSec, 100);
    assert.equal(band.samples, 10);
    // d = 0.3 drift + cv/√n = 0.3 + (23.57 / 100) / √10 = 0.3745; slow end wider by 0.2
    assert.ok(Math.abs(band.p90PerSec - 137.45) < 0.01, `fast end ${band.p90PerSec}`);
    assert.ok(Math.abs(band.p10PerSec - 100 / 1.5745) < 0.01, `slow end ${band.p10PerSec}`);
  });

  it('gives a closed band at a few admissions a second, where one-second counts are often zero', () => {
    // 2021-07-19 at 1/500: 0.6 admissions a second in a partition; the old p10 of one-second counts was 0
    const meter = createRateMeter(60);
    const perSecond = [0, 1, 0, 2, 1, 0, 0, 1, 1, 0];
    let cursor = 0;
    meter.observe(0, 0);
    perSecond.forEach((n, i) => meter.observe((i + 1) * 1_000, (cursor += n)));
    const eta = etaBand(5, meter.band())!;
    assert.equal(eta.expectedMs, 10_000);
    assert.notEqual(eta.highMs, null);
    assert.ok(eta.lowMs < 10_000 && eta.highMs! > 10_000 && eta.highMs! < 30_000, JSON.stringify(eta));
  });

  it('restarts the meter when the cursor goes backwards (a restore)', () => {
    const meter = createRateMeter(60);
    meter.observe(0, 1_000);
    meter.observe(1_000, 1_100);
    meter.observe(2_000, 500);
    assert.equal(meter.band(), null);
    meter.observe(3_000, 520);
    assert.equal(meter.band()?.meanPerSec, 20);
  });

  it("counts the person's own place: admitted when the cursor has moved ahead + 1; no ETA if nothing moves", () => {
    assert.deepEqual(etaBand(999, { meanPerSec: 100, p10PerSec: 50, p90PerSec: 200, samples: 10 }), {
      expectedMs: 10_000,
      lowMs: 5_000,
      highMs: 20_000,
      ratePerSec: 100,
      isFromPlan: false,
    });
    assert.equal(etaBand(0, { meanPerSec: 2, p10PerSec: 1, p90PerSec: 4, samples: 10 })?.expectedMs, 500);
    assert.equal(etaBand(1_000, { meanPerSec: 50, p10PerSec: 0, p90PerSec: 100, samples: 10 })?.highMs, null);
    assert.equal(etaBand(1_000, { meanPerSec: 0, p10PerSec: 0, p90PerSec: 0, samples: 10 }), null);
    assert.equal(etaBand(1_000, null), null);
  });

  it('asks the front to poll every second or two and the back every ten seconds', () => {
    const rate = { meanPerSec: 100, p10PerSec: 80, p90PerSec: 120, samples: 10 };
    assert.equal(nextPollMs(etaBand(50, rate), poll), 1_000);
    assert.equal(nextPollMs(etaBand(800, rate), poll), Math.round((801 / 120) * 1000 * 0.25));
    assert.equal(nextPollMs(etaBand(100_000, rate), poll), 10_000);
    assert.equal(nextPollMs(null, poll), 10_000);
  });

  it('estimates a pre-room seq from the score quantile', () => {
    assert.deepEqual(estimatePreRoomSeq(PRE_SCORE_RANGE / 2, 10_000), { seq: 5_000, spread: 50 });
  });

  it('does not count paused seconds as rate samples, so the rate after a pause is the rate before it', () => {
    const meter = createRateMeter(60);
    let cursor = 0;
    meter.observe(0, 0);
    for (let i = 1; i <= 30; i += 1) meter.observe(i * 1_000, (cursor += 10));
    // a two-minute pause: the cursor stands still
    for (let i = 31; i <= 150; i += 1) meter.observe(i * 1_000, cursor, true);
    meter.observe(151_000, (cursor += 10));
    const band = meter.band()!;
    assert.equal(band.meanPerSec, 10);
    // 659 ahead at 10/s: 66 s, not the 16 minutes a window full of paused zeros gave
    assert.equal(etaBand(659, band)?.expectedMs, 66_000);
  });

  it('starts from the planned rate with a wide band and lets the measured rate take over sample by sample', () => {
    const planOnly = estimateRate(null, 100)!;
    assert.deepEqual(planOnly, { meanPerSec: 100, p10PerSec: 50, p90PerSec: 300, samples: 0, measuredShare: 0 });
    const eta = etaBand(5_999, planOnly)!;
    assert.deepEqual([eta.expectedMs, eta.lowMs, eta.highMs, eta.isFromPlan], [60_000, 20_000, 120_000, true]);
    const measured = { meanPerSec: 40, p10PerSec: 30, p90PerSec: 50, samples: 20 };
    const half = estimateRate(measured, 100)!;
    assert.equal(half.meanPerSec, 70);
    assert.equal(half.measuredShare, 0.5);
    assert.equal(etaBand(700, half)?.isFromPlan, false);
    assert.equal(etaBand(700, estimateRate({ ...measured, samples: 19 }, 100))?.isFromPlan, true);
    // a full window (60 samples): the measurement weighs three quarters
    const full = estimateRate({ ...measured, samples: 60 }, 100)!;
    assert.equal(full.meanPerSec, 55);
    assert.equal(full.measuredShare, 0.75);
    assert.equal(estimateRate(measured, null), measured);
    // the blend moves a little with each sample: no jump from plan to measurement
    const steps = [0, 1, 2, 3].map((n) => estimateRate({ ...measured, samples: n }, 100)!.meanPerSec);
    for (let i = 1; i < steps.length; i += 1) assert.ok(steps[i - 1]! - steps[i]! <= 3.01);
  });

  it("adds the page's next look: half of it expected, all of it at the slow end", () => {
    const eta = etaBand(9, { meanPerSec: 1, p10PerSec: 0.5, p90PerSec: 2, samples: 10 }, 1_000)!;
    assert.deepEqual([eta.expectedMs, eta.lowMs, eta.highMs], [10_500, 5_000, 21_000]);
  });

  it("once the queue has drained, gives a newcomer at the front the controller's rate, not the arrivals", () => {
    // 0.3 arrivals a second measured, shared to one of 8 partitions; the controller admits 4/s
    const arrivalsOnly = { meanPerSec: 0.3 / 8, p10PerSec: 0.02, p90PerSec: 0.05, samples: 60 };
    const slow = etaBand(0, arrivalsOnly, 1_000)!;
    assert.ok(slow.lowMs > 10_000, 'from the arrivals alone: tens of seconds for the next place');
    const eta = etaBand(0, atLeastRate(arrivalsOnly, 4), 1_000)!;
    // admitted within a tick, seen at the next look: a second (not half a second), band 0.2 … 1.4 s
    assert.deepEqual([eta.expectedMs, eta.lowMs, eta.highMs], [1_000, 192, 1_375]);
    assert.equal(atLeastRate(arrivalsOnly, 0), arrivalsOnly);
  });

  it('lets the free session headroom pass at the controller rate, then the steady rate: max(k / r, (k − H) / s)', () => {
    // cap room for 200, the controller at 5/s, the turnover 2/s: the cap fills in 200 / (5 − 2) = 67 s,
    // 333 places through by then
    assert.equal(secondsToPass(100, 2, 5, 200), 20);
    assert.equal(secondsToPass(333, 2, 5, 200), 66.6);
    assert.equal(secondsToPass(500, 2, 5, 200), 150);
    assert.equal(secondsToPass(500, 2, 5, 0), 250, 'no headroom: the steady rate alone');
    assert.equal(secondsToPass(500, 2, 1, 200), 500, 'a controller slower than the turnover holds the cursor');
    const band = withHeadroom(estimateRate(null, 2), estimateHeadroom(200, null, { nowPerSec: 5 }, 2))!;
    const eta = etaBand(499, band)!;
    // the plan alone said 250 s; the band's ends: 500 / 6.5 … 300 / 1 = 300 s (the plan's half)
    assert.deepEqual([eta.expectedMs, eta.lowMs, eta.highMs, eta.isFromPlan], [150_000, 76_923, 300_000, true]);
  });

  describe('the planned turnover curve (issue 14 item 5: ETAs shown in minutes 3-6 came out a fifth short)', () => {
    // 2021-07-19 at 1/100 as the capacity plan models it (minutes 0-13 from the opening)
    const curve = [16.69, 14.95, 13.67, 12.5, 11.44, 10.46, 9.57, 8.6, 8.1, 7.29, 10.28, 10.16, 10.39, 10.37];

    it('reads a minute curve at its minutes’ middles, linear between, flat beyond its ends', () => {
      assert.equal(curveAt(curve, 0), 16.69);
      assert.equal(curveAt(curve, 0.5), 16.69);
      assert.ok(Math.abs(curveAt(curve, 1) - (16.69 + 14.95) / 2) < 1e-9);
      assert.equal(curveAt(curve, 60), 10.37);
    });

    it('shapes the coming minutes by the plan’s falls, never by its rises', () => {
      const at3 = turnoverShape(curve, 3)!;
      assert.equal(at3.length, 20);
      assert.ok(Math.abs(at3[0]! - curveAt(curve, 3.5) / curveAt(curve, 3)) < 1e-9);
      for (let k = 1; k < at3.length; k += 1) assert.ok(at3[k]! <= at3[k - 1]!, `minute ${k}: ${at3.join(' ')}`);
      // minute 10's rise (7.29 → 10.28) is not counted on: the factor stays at the lowest so far
      assert.ok(Math.abs(at3[7]! - 7.29 / curveAt(curve, 3)) < 0.05, at3.join(' '));
      assert.equal(at3[12], at3[7]);
      assert.deepEqual(turnoverShape(curve, -5), turnoverShape(curve, 0), 'before the opening: from the opening');
      assert.equal(turnoverShape(null, 3), null);
      assert.equal(turnoverShape([], 3), null);
      assert.equal(turnoverShape([3, 0, 2], 3), null, 'a zero in the curve: not usable');
    });

    it('passes places at the rate times each minute’s factor', () => {
      assert.equal(secondsAtShapedRate(600, 10, undefined), 60);
      // 10/s for a minute (600), then 5/s: 900 places in 60 + 60 s
      assert.equal(secondsAtShapedRate(900, 10, [1, 0.5]), 120);
      assert.equal(secondsAtShapedRate(300, 10, [1, 0.5]), 30);
      assert.equal(secondsAtShapedRate(0, 10, [1, 0.5]), 0);
      // with headroom: the steady part is shaped, the controller's burst is not
      assert.equal(secondsToPass(1_100, 10, 50, 200, [1, 0.5]), 120);
      assert.equal(secondsToPass(100, 10, 50, 200, [1, 0.5]), 2);
    });

    it('counts on the share of the plan’s fall the measured rate has shown, leaning on a prior while the fall is small', () => {
      const flat = [10, 10, 10, 10];
      const since = { minutes: 2, meanPerSec: 10 };
      assert.equal(confirmedShare(flat, since, { minutes: 3, meanPerSec: 5 }, 1), SHAPE_PRIOR_SHARE, 'no fall planned');
      const falling = [10, 10, 10, 5, 5, 5]; // the plan halves from minute 2.5 to 3.5
      // at minute 5 the plan fell by half over the span; the rate fell by a quarter: half of the fall shown
      assert.ok(Math.abs(confirmedShare(falling, since, { minutes: 5, meanPerSec: 7.5 }, 1) - 0.5) < 1e-9);
      assert.equal(confirmedShare(falling, since, { minutes: 5, meanPerSec: 12 }, 1), 0, 'it rose: none of the fall');
      assert.equal(confirmedShare(falling, since, { minutes: 5, meanPerSec: 2 }, 1), 1, 'fell further: all of it');
      // a planned fall of a tenth so far is half what it takes to judge: half the prior, half what was shown (none)
      const gentle = [10, 10, 10, 9, 9];
      const g = confirmedShare(gentle, since, { minutes: 5, meanPerSec: 10 }, 1);
      assert.ok(Math.abs(g - (1 - 0.1 / SHAPE_JUDGED_FALL) * SHAPE_PRIOR_SHARE) < 1e-9, String(g));
    });

    it('lets only the measured part follow the shape, in proportion to how full the window is', () => {
      const shape = [1, 0.8, 0.6];
      const measured = { meanPerSec: 12, p10PerSec: 8, p90PerSec: 16, samples: 60 };
      // w = 60 / 80 = 0.75: (0.75·12·f + 0.25·10) / (0.75·12 + 0.25·10)
      const full = estimateShape(shape, measured, 10, 60)!;
      assert.deepEqual(full, [
        1,
        Math.round(((9 * 0.8 + 2.5) / 11.5) * 100) / 100,
        Math.round(((9 * 0.6 + 2.5) / 11.5) * 100) / 100,
      ]);
      // half a window measured: half the shape's fall
      const half = estimateShape(shape, { ...measured, samples: 30 }, 10, 60)!;
      const w = 30 / 50;
      assert.equal(half[2], Math.round(((w * 12 * 0.8 + (1 - w) * 10) / (w * 12 + (1 - w) * 10)) * 100) / 100);
      assert.equal(estimateShape(shape, null, 10, 60), null, 'nothing measured: the plan alone, flat');
      // a plan read from the curve now follows its shape in full; the measured part as above
      assert.deepEqual(estimateShape(shape, null, 10, 60, true), shape, 'nothing measured: the curve itself');
      const fromCurve = estimateShape(shape, measured, 10, 60, true)!;
      assert.equal(fromCurve[2], Math.round(((9 * 0.6 + 2.5 * 0.6) / 11.5) * 100) / 100);
      assert.equal(estimateShape(null, measured, 10, 60), null);
    });

    it('gives a longer ETA for a wait the plan says the turnover falls over', () => {
      const measured = { meanPerSec: 12, p10PerSec: 8, p90PerSec: 16, samples: 60 };
      const flat = estimateRate(measured, 11.9)!;
      const shaped = withShape(flat, estimateShape(turnoverShape(curve, 3), measured, 11.9, 60))!;
      const a = etaBand(3_000, flat)!,
        b = etaBand(3_000, shaped)!;
      // 3,001 places: about 4.2 min flat; the plan's fall from minute 3 to 7 makes it about a tenth longer
      assert.ok(
        b.expectedMs > 1.08 * a.expectedMs && b.expectedMs < 1.25 * a.expectedMs,
        `${a.expectedMs} → ${b.expectedMs}`,
      );
      assert.ok(b.lowMs > a.lowMs && b.highMs! > a.highMs!, 'both ends follow');
      assert.equal(withShape(flat, null), flat);
    });
  });

  it('measures the steady rate only in seconds the cap held, and the headroom rate in the others', () => {
    const meter = createAdmissionMeter(60);
    let cursor = 0;
    meter.observe({ atMs: 0, cursor, headroom: 200, controllerRatePerSec: 5 });
    // 40 s filling the cap at 5/s (the last second starts with 5 free: still not held), then 20 s at 2/s
    for (let s = 1; s <= 40; s += 1) {
      cursor += 5;
      meter.observe({ atMs: s * 1_000, cursor, headroom: 200 - 5 * s, controllerRatePerSec: 5 });
    }
    assert.equal(meter.steady(), null, 'the cap never held: no steady rate yet');
    for (let s = 41; s <= 60; s += 1)
      meter.observe({ atMs: s * 1_000, cursor: (cursor += 2), headroom: 0, controllerRatePerSec: 5 });
    assert.deepEqual([meter.steady()?.meanPerSec, meter.steady()?.samples], [2, 20]);
    assert.deepEqual([meter.free()?.meanPerSec, meter.free()?.samples], [5, 40]);
    // idle seconds are neither
    meter.observe({ atMs: 61_000, cursor, headroom: 0, controllerRatePerSec: 5, isIdle: true });
    assert.equal(meter.steady()?.samples, 20);
  });

  it('measures admitted per second over the last ten refreshes, idle ones included', () => {
    const meter = createAdmissionMeter(60);
    assert.equal(meter.admittedPerSec(), 0, 'nothing measured yet');
    meter.observe({ atMs: 0, cursor: 0, headroom: 100, controllerRatePerSec: 100, isIdle: true });
    meter.observe({ atMs: 1_000, cursor: 0, headroom: 100, controllerRatePerSec: 100, isIdle: true });
    assert.equal(meter.admittedPerSec(), 0, 'before the opening: 0, not the controller rate');
    for (let s = 2; s <= 11; s += 1)
      meter.observe({ atMs: s * 1_000, cursor: (s - 1) * 30, headroom: 100, controllerRatePerSec: 100 });
    assert.equal(meter.admittedPerSec(), 30);
    for (let s = 12; s <= 16; s += 1)
      meter.observe({ atMs: s * 1_000, cursor: 300, headroom: 100, controllerRatePerSec: 100, isIdle: true });
    assert.equal(meter.admittedPerSec(), 15, 'paused for 5 of the last 10 s');
  });

  it('takes no turnover sample from a full cap before anyone has left it (the sessions are only young)', () => {
    const meter = createAdmissionMeter(60);
    let cursor = 0;
    meter.observe({ atMs: 0, cursor, headroom: 50, controllerRatePerSec: 50 });
    meter.observe({ atMs: 1_000, cursor: (cursor += 50), headroom: 0, controllerRatePerSec: 50 });
    // full: 4 s with nobody leaving, then 10/s
    for (let s = 2; s <= 5; s += 1) meter.observe({ atMs: s * 1_000, cursor, headroom: 0, controllerRatePerSec: 50 });
    assert.equal(meter.steady(), null, 'the cap held, but nobody has left it yet');
    for (let s = 6; s <= 15; s += 1)
      meter.observe({ atMs: s * 1_000, cursor: (cursor += 10), headroom: 0, controllerRatePerSec: 50 });
    assert.deepEqual([meter.steady()?.meanPerSec, meter.steady()?.samples], [10, 10]);
    // once turning over, a second with nobody leaving is a sample like any other
    meter.observe({ atMs: 16_000, cursor, headroom: 0, controllerRatePerSec: 50 });
    assert.equal(meter.steady()?.samples, 11);
  });

  it('starts the headroom rate from the controller, with the plan as its fast end if higher, and lets the measurement take over', () => {
    const fromController = { places: 200, meanPerSec: 5, p10PerSec: 5 / 1.5, measuredShare: 0 };
    assert.deepEqual(estimateHeadroom(200, null, { nowPerSec: 5 }, 2), { ...fromController, p90PerSec: 6.5 });
    // 2021-07-19 at 1/100: the controller held at 5/s against a plan of 10.1/s: 5/s expected, 10.1/s possible
    assert.deepEqual(estimateHeadroom(200, null, { nowPerSec: 5 }, 10.1), { ...fromController, p90PerSec: 10.1 });
    assert.equal(estimateHeadroom(0, null, { nowPerSec: 5 }, 2), null, 'no headroom');
    const measured = { meanPerSec: 3, p10PerSec: 2, p90PerSec: 4, samples: 20 };
    assert.equal(estimateHeadroom(200, measured, { nowPerSec: 5 }, 2)?.meanPerSec, 4, 'half measured at 20 samples');
    assert.equal(estimateHeadroom(200, measured, { nowPerSec: 5 }, 2)?.measuredShare, 0.5);
    // a full window at the controller's 5/s: the plan of 10.1/s no longer moves the expected rate at all
    const atFive = { meanPerSec: 5, p10PerSec: 5 / 1.5, p90PerSec: 6.5, samples: 60 };
    assert.equal(estimateHeadroom(600, atFive, { nowPerSec: 5 }, 10.1)?.meanPerSec, 5);
    // awaiting its first booking signal: the slow end is the climb after a hold, the expected rate the climb
    const climbing = estimateHeadroom(1_000, null, { nowPerSec: 5, rampPerSec: 44, heldRampPerSec: 30 }, 10.1)!;
    assert.equal(climbing.meanPerSec, 44);
    assert.equal(climbing.p10PerSec, 30 / 1.5);
    const signalled = estimateHeadroom(1_000, null, { nowPerSec: 5, rampPerSec: 44 }, 10.1)!;
    assert.equal(signalled.p10PerSec, 44 / 1.5);
    assert.equal(signalled.hold, undefined);
    // With the hold's length, the slow end carries it: the first places pass at the held 5/s
    const held = estimateHeadroom(
      1_000,
      null,
      { nowPerSec: 5, rampPerSec: 44, heldRampPerSec: 30, heldSeconds: 10 },
      10.1,
    );
    assert.deepEqual(held?.hold, { seconds: 10, perSec: 5 });
    assert.deepEqual(
      scaleBand({ meanPerSec: 1, p10PerSec: 1, p90PerSec: 1, samples: 0, headroom: held! }, 0.25)?.headroom?.hold,
      {
        seconds: 10,
        perSec: 1.25,
      },
    );
  });

  it("puts the controller's hold on the first places of the headroom, at the slow end only (2021-07-19 at 1/100)", () => {
    // 1,000 places of headroom in 29 s at the slow end, the controller holding 5/s for 10 s first.
    const hold = { seconds: 10, perSec: 5 };
    const rate = 1_000 / 29;
    assert.equal(headroomSeconds(40, rate, 1_000, hold), 8, 'within the hold: at the held rate');
    assert.equal(headroomSeconds(50, rate, 1_000, hold), 10);
    assert.ok(Math.abs(headroomSeconds(254, rate, 1_000, hold) - 14.08) < 0.01, 'the hold, then the rest');
    assert.ok(Math.abs(headroomSeconds(1_000, rate, 1_000, hold) - 29) < 1e-9, 'the whole headroom as long as before');
    for (const k of [1, 10, 100, 300, 600, 999])
      assert.ok(headroomSeconds(k, rate, 1_000, hold) >= k / rate, String(k));
    assert.equal(headroomSeconds(254, rate, 1_000), 254 / rate, 'no hold: one rate');
    // In the band: 254 ahead, with the controller's 5/s held at 1/100 they waited 13.75 s (slow end was 13.4 s)
    const band: RateBand = {
      meanPerSec: 10,
      p10PerSec: 8,
      p90PerSec: 12,
      samples: 0,
      headroom: { places: 1_000, meanPerSec: 44, p10PerSec: rate, p90PerSec: 50, hold },
    };
    const eta = etaBand(253, band, 1_000)!;
    assert.ok(eta.highMs! >= 15_000, String(eta.highMs));
    assert.equal(eta.lowMs, etaBand(253, { ...band, headroom: { ...band.headroom!, hold: undefined } }, 1_000)!.lowMs);
    assert.equal(
      eta.expectedMs,
      etaBand(253, { ...band, headroom: { ...band.headroom!, hold: undefined } }, 1_000)!.expectedMs,
    );
  });

  it('says the ETA is an estimate while the part of the wait that decides it is not yet measured', () => {
    const measuredSteady = { meanPerSec: 2, p10PerSec: 1.5, p90PerSec: 2.5, samples: 60, measuredShare: 0.75 };
    const unmeasuredHeadroom = estimateHeadroom(200, null, { nowPerSec: 5 }, 2);
    // 100 places: all within the headroom, at the controller's rate, not measured yet
    assert.equal(etaBand(99, withHeadroom(measuredSteady, unmeasuredHeadroom))?.isFromPlan, true);
    // 1,000 places: the measured steady rate decides (800 / 2 = 400 s against 1,000 / 5 = 200 s)
    assert.equal(etaBand(999, withHeadroom(measuredSteady, unmeasuredHeadroom))?.isFromPlan, false);
  });

  // The steady rate's blend alone (no headroom): what the ETA is once the cap is full.
  describe('the steady-rate ETA at fixed instants of an opening (2021-07-19 at 1/500: plan 2/s, 8 partitions)', () => {
    const share = 1 / 8;
    const planned = 2 * share;
    // The room's meter after `seconds` of admitting `perSecond` a second, shared to one partition.
    const measuredAfter = (seconds: number, perSecond: number): RateBand | null => {
      if (seconds === 0) return null;
      const meter = createRateMeter(60);
      meter.observe(0, 0);
      for (let s = 1; s <= seconds; s += 1) meter.observe(s * 1_000, s * perSecond);
      return scaleBand(meter.band(), share);
    };

    it('at the first second: the plan alone, said to be an estimate, its band a third to double the wait', () => {
      const eta = etaBand(49, estimateRate(measuredAfter(0, 5), planned))!;
      assert.deepEqual([eta.expectedMs, eta.lowMs, eta.highMs, eta.isFromPlan], [200_000, 66_667, 400_000, true]);
    });

    it('after 10 s of admitting 5/s (faster than planned): still mostly the plan, the band already holds 5/s', () => {
      const eta = etaBand(49, estimateRate(measuredAfter(10, 5), planned))!;
      assert.equal(eta.isFromPlan, true);
      // the wait at 5/s: 50 places of this partition at 5/8 a second = 80 s
      assert.ok(eta.lowMs <= 80_000 && eta.expectedMs > 80_000, JSON.stringify(eta));
    });

    it('after a minute at 3/s: mostly measured, expected within a fifth of the wait at 3/s, band narrower', () => {
      const eta = etaBand(49, estimateRate(measuredAfter(60, 3), planned))!;
      const atThree = (50 / (3 * share)) * 1000;
      assert.equal(eta.isFromPlan, false);
      assert.ok(Math.abs(eta.expectedMs - atThree) <= 0.2 * atThree, JSON.stringify(eta));
      assert.ok(eta.lowMs <= atThree && eta.highMs! >= atThree);
      assert.ok(eta.highMs! - eta.lowMs < 1.2 * atThree, `band ${eta.highMs! - eta.lowMs} ms for ${atThree} ms`);
    });
  });

  it('gives progress as the share of the places ahead at the first look that have been passed', () => {
    assert.equal(progressOf(101, 0, 0), 0);
    assert.equal(progressOf(101, 0, 25), 0.25);
    assert.equal(progressOf(101, 60, 80), 0.5);
    assert.equal(progressOf(101, 0, 500), 1);
    assert.equal(progressOf(101, null, 50), null);
  });
});
