import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { watchJoinPressure } from './join-pressure.ts';

describe('join pressure', () => {
  it('is under pressure from the first health check that says unhealthy, and not after one that says healthy', async () => {
    let healthy = false;
    const pressure = await watchJoinPressure({
      maxEventLoopDelayMs: 0,
      healthCheck: async () => healthy,
      healthCheckIntervalMs: 20,
    });
    try {
      assert.equal(pressure.isUnderPressure(), true, 'the check before the first join said unhealthy');
      healthy = true;
      await sleep(100);
      assert.equal(pressure.isUnderPressure(), false);
    } finally {
      pressure.close();
    }
  });

  it('counts a health check that throws as unhealthy and says why', async () => {
    const errors: unknown[] = [];
    const pressure = await watchJoinPressure({
      maxEventLoopDelayMs: 0,
      healthCheck: async () => {
        throw new Error('Redis unreachable');
      },
      onHealthCheckError: (e) => errors.push(e),
    });
    try {
      assert.equal(pressure.isUnderPressure(), true);
      assert.match(String(errors[0]), /Redis unreachable/);
    } finally {
      pressure.close();
    }
  });

  it('is under pressure after a sample interval whose mean event-loop delay is over the limit', async () => {
    // A sample of an idle loop reads ~10 ms, less the 10 ms resolution; one 600 ms block among the
    // at most 20 samples of a 200 ms interval makes its mean at least (600 + 20 × 10) / 21 − 10 ≈ 28 ms.
    const pressure = await watchJoinPressure({ maxEventLoopDelayMs: 15, sampleIntervalMs: 200 });
    try {
      assert.equal(pressure.isUnderPressure(), false, 'nothing measured yet');
      const until = performance.now() + 600;
      while (performance.now() < until); // the event loop blocked
      let isUnder = false;
      for (let i = 0; i < 40 && !isUnder; i++) {
        await sleep(25);
        isUnder = pressure.isUnderPressure();
      }
      assert.equal(isUnder, true);
    } finally {
      pressure.close();
    }
  });
});
