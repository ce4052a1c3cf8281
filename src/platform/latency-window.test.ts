import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from './clock.ts';
import { createLatencyWindow } from './latency-window.ts';

describe('latency window', () => {
  it('reports p50, p99, error rate and rate over the last window only', () => {
    const clock = fixedClock(1_000_000);
    const w = createLatencyWindow(clock, { windowSec: 10 });
    for (let i = 1; i <= 100; i++) w.record(i, i > 98);
    assert.deepEqual(w.summary(), { count: 100, errors: 2, perSec: 10, errorRate: 0.02, p50Ms: 51, p99Ms: 100 });
    clock.advance(10_000);
    w.record(5, false);
    assert.deepEqual(w.summary(), { count: 1, errors: 0, perSec: 0.1, errorRate: 0, p50Ms: 5, p99Ms: 5 });
  });

  it('says nothing (null) when nothing was observed', () => {
    const w = createLatencyWindow(fixedClock(0));
    assert.deepEqual(w.summary(), { count: 0, errors: 0, perSec: 0, errorRate: null, p50Ms: null, p99Ms: null });
  });
});
