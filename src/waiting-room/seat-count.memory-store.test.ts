import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedClock } from '../platform/clock.ts';
import { createMemorySeatCountStore } from './seat-count.memory-store.ts';
import { parseKeptSeatCount } from './seat-count.store.ts';
import { seatCountStoreContract } from '../../test/contracts/seat-count-store.contract.ts';

seatCountStoreContract('memory', async () => {
  const clock = fixedClock(1_700_000_000_000);
  return {
    store: createMemorySeatCountStore(clock),
    pass: async (ms) => clock.advance(ms),
    cleanup: async () => {},
  };
});

describe('parseKeptSeatCount', () => {
  it('reads a kept count back, and anything malformed as none', () => {
    const kept = { seatsLeft: 3, nextSeatsAtMs: null, countedAt: { atMs: 10, base: { active: 1, claimedTotal: 2 } } };
    assert.deepEqual(parseKeptSeatCount(JSON.stringify(kept)), kept);
    for (const bad of [
      'not json',
      '{}',
      JSON.stringify({ ...kept, seatsLeft: -1 }),
      JSON.stringify({ ...kept, nextSeatsAtMs: 'soon' }),
      JSON.stringify({ ...kept, countedAt: null }),
      JSON.stringify({ ...kept, countedAt: { atMs: 10 } }),
      JSON.stringify({ ...kept, countedAt: { atMs: 10, base: { active: 1 } } }),
    ])
      assert.equal(parseKeptSeatCount(bad), null, bad);
  });
});
