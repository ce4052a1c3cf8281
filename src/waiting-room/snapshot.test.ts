import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRateMeter, estimateRate, etaBand, estimatePreRoomSeq, nextPollMs, progressOf } from './snapshot.ts';
import { PRE_SCORE_RANGE } from './waiting-room.store.ts';

const poll = { minPollMs: 1_000, maxPollMs: 10_000, pollFraction: 0.25 };

describe('snapshot arithmetic', () => {
  it('measures the admission rate from cursor movement and its spread', () => {
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
    assert.deepEqual([band.p10PerSec, band.p90PerSec, band.samples], [100, 150, 10]);
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

  it('gives an ETA band from the measured rate, open-ended if a stall was seen, none if nothing moves', () => {
    assert.deepEqual(etaBand(1_000, { meanPerSec: 100, p10PerSec: 50, p90PerSec: 200, samples: 10 }), {
      expectedMs: 10_000,
      lowMs: 5_000,
      highMs: 20_000,
      ratePerSec: 100,
      isFromPlan: false,
    });
    assert.equal(etaBand(1_000, { meanPerSec: 50, p10PerSec: 0, p90PerSec: 100, samples: 10 })?.highMs, null);
    assert.equal(etaBand(1_000, { meanPerSec: 0, p10PerSec: 0, p90PerSec: 0, samples: 10 }), null);
    assert.equal(etaBand(1_000, null), null);
  });

  it('asks the front to poll every second or two and the back every ten seconds', () => {
    const rate = { meanPerSec: 100, p10PerSec: 80, p90PerSec: 120, samples: 10 };
    assert.equal(nextPollMs(etaBand(50, rate), poll), 1_000);
    assert.equal(nextPollMs(etaBand(800, rate), poll), Math.round((800 / 120) * 1000 * 0.25));
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
    assert.equal(band.p10PerSec, 10);
    // 660 ahead at 10/s: 66 s, not the 16 minutes a window full of paused zeros gave
    assert.equal(etaBand(660, band)?.expectedMs, 66_000);
  });

  it('starts from the planned rate with a wide band and lets the measured rate take over sample by sample', () => {
    const planOnly = estimateRate(null, 100, 60)!;
    assert.deepEqual(planOnly, { meanPerSec: 100, p10PerSec: 50, p90PerSec: 200, samples: 0, measuredShare: 0 });
    const eta = etaBand(6_000, planOnly)!;
    assert.deepEqual([eta.expectedMs, eta.lowMs, eta.highMs, eta.isFromPlan], [60_000, 30_000, 120_000, true]);
    const measured = { meanPerSec: 40, p10PerSec: 30, p90PerSec: 50, samples: 30 };
    const half = estimateRate(measured, 100, 60)!;
    assert.equal(half.meanPerSec, 70);
    assert.equal(half.measuredShare, 0.5);
    assert.equal(etaBand(700, half)?.isFromPlan, false);
    const full = estimateRate({ ...measured, samples: 60 }, 100, 60)!;
    assert.equal(full.meanPerSec, 40);
    assert.equal(estimateRate(measured, null, 60), measured);
    // the blend moves a little with each sample: no jump from plan to measurement
    const steps = [0, 1, 2, 3].map((n) => estimateRate({ ...measured, samples: n }, 100, 60)!.meanPerSec);
    for (let i = 1; i < steps.length; i += 1) assert.ok(steps[i - 1]! - steps[i]! <= 1.01);
  });

  it('gives progress as the share of the places ahead at the first look that have been passed', () => {
    assert.equal(progressOf(101, 0, 0), 0);
    assert.equal(progressOf(101, 0, 25), 0.25);
    assert.equal(progressOf(101, 60, 80), 0.5);
    assert.equal(progressOf(101, 0, 500), 1);
    assert.equal(progressOf(101, null, 50), null);
  });
});
