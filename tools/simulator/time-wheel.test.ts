import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TimeWheel } from './time-wheel.ts';

describe('the event calendar', () => {
  it('hands out events when they are due, in time order across buckets', () => {
    const w = new TimeWheel(1_000, 100, 10_000);
    w.push(1_550, 3);
    w.push(1_050, 1);
    w.push(1_120, 2);
    w.push(5_000, 4);
    const got: number[] = [];
    w.drainDue(1_600, (e) => got.push(e));
    assert.deepEqual(got, [1, 2, 3]);
    assert.equal(w.size, 1);
    assert.equal(w.nextDueMs(), 5_000);
    w.drainDue(9_999, (e) => got.push(e));
    assert.deepEqual(got, [1, 2, 3, 4]);
    assert.equal(w.nextDueMs(), null);
  });

  it('never loses an event scheduled in the past, and counts those beyond the horizon', () => {
    const w = new TimeWheel(0, 100, 1_000);
    w.drainDue(500, () => {});
    w.push(100, 7); // already past: runs at the next drain
    w.push(5_000, 8); // beyond the horizon
    const got: number[] = [];
    w.drainDue(500, (e) => got.push(e));
    assert.deepEqual(got, [7]);
    assert.equal(w.droppedBeyondHorizon, 1);
  });

  it('runs events a handler schedules for the same instant in the same drain', () => {
    const w = new TimeWheel(0, 100, 1_000);
    w.push(0, 1);
    const got: number[] = [];
    w.drainDue(0, (e) => {
      got.push(e);
      if (e === 1) w.push(0, 2);
    });
    assert.deepEqual(got, [1, 2]);
    assert.equal(w.size, 0);
  });
});
