import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRateMeter, etaBand, estimatePreRoomSeq, nextPollMs } from './snapshot.ts';
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
});
