/**
 * The one contract every SeatCountStore adapter meets: seat-count.memory-store.test.ts runs it in the
 * unit tier, seat-count.redis-store.int.test.ts on Redis and redis-cluster.int.test.ts on a Redis Cluster.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { KeptSeatCount, SeatCountStore } from '../../src/waiting-room/seat-count.store.ts';

export interface SeatCountStoreUnderTest {
  readonly store: SeatCountStore;
  /** Lets `ms` pass for the store's expiries (a fake clock moved, or real time waited). */
  pass(ms: number): Promise<void>;
  /** Delete everything the test wrote and close connections. */
  cleanup(): Promise<void>;
}

const count = (seatsLeft: number): KeptSeatCount => ({
  seatsLeft,
  nextSeatsAtMs: 1_700_000_600_000,
  countedAt: { atMs: 1_700_000_000_000, base: { active: 12, claimedTotal: 340 } },
});

export function seatCountStoreContract(name: string, make: () => Promise<SeatCountStoreUnderTest>): void {
  describe(`SeatCountStore contract: ${name}`, () => {
    let s: SeatCountStoreUnderTest;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(async () => {
      await s.cleanup();
    });

    it('keeps a count with the moment it was read, per campaign', async () => {
      assert.equal(await s.store.latestCount('camp-a'), null, 'none kept yet');
      await s.store.keepCount('camp-a', count(70_000), 10_000);
      assert.deepEqual(await s.store.latestCount('camp-a'), count(70_000));
      assert.equal(await s.store.latestCount('camp-b'), null, 'campaigns are separate');
      await s.store.keepCount('camp-a', count(69_000), 10_000);
      assert.deepEqual(await s.store.latestCount('camp-a'), count(69_000), 'the last kept wins');
    });

    it('forgets a count after the time it was kept for', async () => {
      await s.store.keepCount('camp-a', count(5), 100);
      await s.pass(250);
      assert.equal(await s.store.latestCount('camp-a'), null);
    });

    it('gives the recount lease to one caller until it ends, per campaign', async () => {
      assert.equal(await s.store.claimRecount('camp-a', 150), true);
      assert.equal(await s.store.claimRecount('camp-a', 150), false, 'held');
      assert.equal(await s.store.claimRecount('camp-b', 150), true, 'another campaign has its own');
      await s.pass(300);
      assert.equal(await s.store.claimRecount('camp-a', 150), true, 'ended by itself');
    });
  });
}
