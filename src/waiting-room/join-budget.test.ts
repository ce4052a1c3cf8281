import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createJoinBudget, queuedMs } from './join-budget.ts';

function stepped(startMs = 1_000) {
  let now = startMs;
  return {
    nowMs: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const takes = (budget: { tryTake(): boolean }, n: number) =>
  Array.from({ length: n }, () => budget.tryTake()).filter(Boolean).length;

describe('join budget', () => {
  it('lets one second of joins through at once, and refuses the rest of a burst', () => {
    const clock = stepped();
    const budget = createJoinBudget({ perSec: 100, nowMs: clock.nowMs });
    assert.equal(takes(budget, 250), 100);
  });

  it('refills at the budgeted rate, never above one second of burst', () => {
    const clock = stepped();
    const budget = createJoinBudget({ perSec: 100, nowMs: clock.nowMs });
    takes(budget, 100);
    clock.advance(250);
    assert.equal(takes(budget, 100), 25, 'a quarter second buys a quarter of the budget');
    clock.advance(60_000);
    assert.equal(takes(budget, 1_000), 100, 'an idle minute does not bank more than one second');
  });

  it('holds the long-run rate under sustained overload', () => {
    const clock = stepped();
    const budget = createJoinBudget({ perSec: 50, nowMs: clock.nowMs });
    let allowed = 0;
    for (let ms = 0; ms < 10_000; ms += 10) {
      clock.advance(10);
      allowed += takes(budget, 5);
    } // 500 offered per second
    assert.ok(allowed >= 540 && allowed <= 551, `10 s at 50/s plus one second of burst, got ${allowed}`);
  });

  it('refuses a budget that is not positive', () => {
    assert.throws(() => createJoinBudget({ perSec: 0, nowMs: () => 0 }));
  });
});

describe('time queued before this process', () => {
  it("reads nginx's t=<seconds.milliseconds> against the clock", () => {
    assert.equal(queuedMs('t=1700000000.250', 1_700_000_000_750), 500);
    assert.equal(queuedMs('t=1700000000.000', 1_700_000_000_000), 0);
  });
  it('never counts a header from the future as a negative wait', () => {
    assert.equal(queuedMs('t=1700000001.000', 1_700_000_000_000), 0);
  });
  it('ignores a missing, repeated or unreadable header', () => {
    assert.equal(queuedMs(undefined, 1), undefined);
    assert.equal(queuedMs(['t=1', 't=2'], 1), undefined);
    assert.equal(queuedMs('1700000000.25', 1), undefined);
    assert.equal(queuedMs('t=soon', 1), undefined);
    assert.equal(queuedMs('t=-5', 1), undefined);
  });
});
