import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrng } from '../../src/synthetic/prng.ts';
import { Crowd, Kind, Outcome } from './crowd.ts';
import { etaByMinute, etaMinuteTable, etaOutcome, fairness, rotationShares, waitStats } from './summary.ts';

const OPENS = 1_000_000;

/** n people who joined before the opening (every 3rd a bot) and m after, all admitted. */
function crowdOf(n: number, m: number) {
  const c = new Crowd(n + m);
  for (let i = 0; i < n + m; i += 1) {
    c.arriveAtMs[i] = c.firstJoinMs[i] = i < n ? OPENS - (n - i) * 1_000 : OPENS + (i - n) * 1_000;
    c.wasPreOpening[i] = i < n ? 1 : 0;
    c.admittedAtMs[i] = OPENS + 60_000;
    if (i < n && i % 3 === 0) c.kind[i] = Kind.bot;
  }
  return c;
}

describe('fairness measures', () => {
  it('find no advantage in a random pre-room and first-come order after the opening', () => {
    const n = 3_000,
      m = 1_000;
    const c = crowdOf(n, m);
    const rng = createPrng(9);
    const random = Array.from({ length: n }, () => rng.nextFloat());
    const f = fairness(c, (i) => (i < n ? random[i]! : (i - n) / m), OPENS);
    assert.ok(Math.abs(f.spearmanArrivalVsPositionPreOpening!) < 0.06, String(f.spearmanArrivalVsPositionPreOpening));
    assert.equal(f.spearmanArrivalVsPositionPostOpening, 1);
    assert.ok(Math.abs(f.meanPositionPreOpening.bots! - f.meanPositionPreOpening.humans!) < 0.03);
    assert.equal(f.meanPositionPreOpening.botsCount, n / 3);
  });

  it('detect a pre-room that rewards arriving early, and bots that get ahead', () => {
    const n = 3_000;
    const c = crowdOf(n, 0);
    const firstCome = fairness(c, (i) => i / n, OPENS);
    assert.equal(firstCome.spearmanArrivalVsPositionPreOpening, 1);
    const botsFirst = fairness(c, (i) => (c.kind[i] === Kind.bot ? 0.1 : 0.6), OPENS);
    assert.ok(botsFirst.meanPositionPreOpening.bots! < botsFirst.meanPositionPreOpening.humans!);
  });
});

describe('waits and rotation groups', () => {
  it('measures waits from the opening for people who came early', () => {
    const c = crowdOf(2, 1);
    c.admittedAtMs[0] = OPENS + 10_000;
    c.admittedAtMs[1] = OPENS + 20_000;
    c.admittedAtMs[2] = OPENS + 30_000;
    const w = waitStats(c, OPENS);
    assert.equal(w.admitted, 3);
    assert.equal(w.medianAfterOpeningSec, 20);
    assert.equal(w.maxAfterOpeningSec, 30, 'the late joiner waited 30 s from their own arrival at the opening instant');
  });

  it('shares bookings by birth-day digit', () => {
    const c = new Crowd(4);
    [9, 9, 0, 1].forEach((d, i) => {
      c.digit[i] = d;
    });
    c.outcome[0] = Outcome.booked;
    c.outcome[1] = Outcome.booked;
    c.outcome[2] = Outcome.booked;
    const shares = rotationShares(c, 4);
    assert.equal(shares[9]!.bookings, 2);
    assert.equal(shares[9]!.bookingShare, 0.667);
    assert.equal(shares[1]!.bookings, 0);
    assert.equal(shares[0]!.eligibleShare, 0.25);
  });
});

describe('one ETA against its wait', () => {
  it('judges the band in whole seconds, as the status answer shows it', () => {
    const front = { atMs: 0, expectedMs: 600, lowMs: 10, highMs: 1_050 };
    // Shown 0-1 s: admitted 1.3 s later (the next tick, then the next look) is within what was shown...
    assert.equal(etaOutcome(front, 1_300).inBand, true);
    // ...1.6 s later (shown as 2 s) is not, and neither is a wait shorter than a band that starts later.
    assert.equal(etaOutcome(front, 1_600).inBand, false);
    assert.equal(etaOutcome({ atMs: 0, expectedMs: 90_000, lowMs: 60_000, highMs: 120_000 }, 59_400).inBand, false);
    assert.equal(etaOutcome({ atMs: 0, expectedMs: 90_000, lowMs: 60_000, highMs: 120_000 }, 59_600).inBand, true);
    // An open-ended band has only its low end; the error is still in milliseconds.
    assert.deepEqual(etaOutcome({ atMs: 0, expectedMs: 90_000, lowMs: 60_000, highMs: null }, 100_000), {
      error: 10_000,
      relative: 0.1,
      width: null,
      inBand: true,
    });
  });
});

describe('ETA accuracy by minute', () => {
  it('groups first ETAs by the minute after the opening they were shown in, with in-band share and relative error', () => {
    const c = new Crowd(4);
    // minute 0: actual 100 s, promised 100 s (in band) and 50 s (out of band, 50 % off)
    c.admittedAtMs[0] = OPENS + 10_000 + 100_000;
    c.admittedAtMs[1] = OPENS + 20_000 + 100_000;
    // minute 2: actual 60 s, promised 66 s, in band
    c.admittedAtMs[2] = OPENS + 130_000 + 60_000;
    c.admittedAtMs[3] = Number.NaN; // never admitted: not counted
    const promises = new Map([
      [0, { atMs: OPENS + 10_000, expectedMs: 100_000, lowMs: 80_000, highMs: 120_000 }],
      [1, { atMs: OPENS + 20_000, expectedMs: 50_000, lowMs: 40_000, highMs: 60_000 }],
      [2, { atMs: OPENS + 130_000, expectedMs: 66_000, lowMs: 50_000, highMs: null }],
      [3, { atMs: OPENS + 130_000, expectedMs: 1_000, lowMs: 1_000, highMs: 1_000 }],
    ]);
    const rows = etaByMinute(promises, c, OPENS);
    assert.deepEqual(
      rows.map((r) => [r.minute, r.samples, r.withinBandShare]),
      [
        [0, 2, 0.5],
        [2, 1, 1],
      ],
    );
    assert.equal(rows[1]!.medianRelativeError, 0.1);
    // signed: admitted 6 s sooner than shown on a 60 s wait; minute 0: 0 and +50 % (nearest-rank median: the lower)
    assert.deepEqual(
      rows.map((r) => r.medianSignedRelativeError),
      [0, -0.1],
    );
    // band width over the actual wait: 40 s / 100 s and 20 s / 100 s (nearest-rank median of two: the lower); open-ended counted apart
    assert.deepEqual(
      rows.map((r) => [r.medianBandWidthShare, r.openEndedShare]),
      [
        [0.2, 0],
        [null, 1],
      ],
    );
    assert.match(etaMinuteTable(rows), /^minute +samples +in-band .*band width\/actual +open-ended/);
  });
});
