/**
 * The one contract every TurnNoticeStore adapter meets: turn-notice.memory-store.test.ts runs it in
 * the unit tier, turn-notice.redis-store.int.test.ts on Redis and redis-cluster.int.test.ts on a
 * Redis Cluster.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TurnNoticeStore } from '../../src/waiting-room/turn-notice.store.ts';

export interface NoticeStoreUnderTest {
  readonly store: TurnNoticeStore;
  /** Delete everything the test wrote and close connections. */
  cleanup(): Promise<void>;
}

const ref = { campaignId: 'camp-n', partition: 1 };
const other = { campaignId: 'camp-n', partition: 2 };
const NOW = 1_700_000_000_000;
const KEEP = 3_600_000;

export function turnNoticeStoreContract(name: string, make: () => Promise<NoticeStoreUnderTest>): void {
  describe(`TurnNoticeStore contract: ${name}`, () => {
    let s: NoticeStoreUnderTest;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(async () => {
      await s.cleanup();
    });

    it('keeps an opt-in once, by identity, at the seq of the place', async () => {
      assert.equal(await s.store.optIn(ref, { identityHash: 'id-a', seq: 40 }), 'added');
      assert.equal(await s.store.optIn(ref, { identityHash: 'id-a', seq: 40 }), 'present');
      assert.deepEqual(await s.store.noticeOf(ref, 'id-a'), { state: 'pending', seq: 40 });
      assert.equal(await s.store.noticeOf(ref, 'id-b'), null);
      assert.equal(await s.store.noticeOf(other, 'id-a'), null, 'partitions are separate');
    });

    it('lists the pending notices up to a seq, lowest first, within the limit, without changing them', async () => {
      for (const [id, seq] of [
        ['id-c', 30],
        ['id-a', 10],
        ['id-d', 31],
        ['id-b', 20],
      ] as const)
        await s.store.optIn(ref, { identityHash: id, seq });
      assert.deepEqual(await s.store.dueNotices(ref, { throughSeq: 30, limit: 10 }), [
        { identityHash: 'id-a', seq: 10 },
        { identityHash: 'id-b', seq: 20 },
        { identityHash: 'id-c', seq: 30 },
      ]);
      assert.deepEqual(await s.store.dueNotices(ref, { throughSeq: 100, limit: 2 }), [
        { identityHash: 'id-a', seq: 10 },
        { identityHash: 'id-b', seq: 20 },
      ]);
      assert.deepEqual(await s.store.dueNotices(ref, { throughSeq: 9, limit: 10 }), []);
      assert.equal((await s.store.dueNotices(ref, { throughSeq: 100, limit: 10 })).length, 4, 'reading took nothing');
    });

    it('marks each pending notice sent once, with its instant, and never lists it again', async () => {
      await s.store.optIn(ref, { identityHash: 'id-a', seq: 10 });
      await s.store.optIn(ref, { identityHash: 'id-b', seq: 11 });
      const marked = await s.store.markSent(ref, {
        identityHashes: ['id-a', 'id-b', 'id-x'],
        nowMs: NOW,
        keepMs: KEEP,
      });
      assert.equal(marked, 2, 'only pending ones count');
      assert.equal(await s.store.markSent(ref, { identityHashes: ['id-a'], nowMs: NOW + 5, keepMs: KEEP }), 0);
      assert.deepEqual(await s.store.noticeOf(ref, 'id-a'), { state: 'sent', seq: 10, sentAtMs: NOW });
      assert.deepEqual(await s.store.dueNotices(ref, { throughSeq: 100, limit: 10 }), []);
      assert.equal(await s.store.optIn(ref, { identityHash: 'id-a', seq: 10 }), 'already-sent');
      assert.deepEqual(await s.store.noticeOf(ref, 'id-a'), { state: 'sent', seq: 10, sentAtMs: NOW });
    });

    it('lets a new place (another seq, after rejoining at the back) ask again', async () => {
      await s.store.optIn(ref, { identityHash: 'id-a', seq: 10 });
      await s.store.markSent(ref, { identityHashes: ['id-a'], nowMs: NOW, keepMs: KEEP });
      assert.equal(await s.store.optIn(ref, { identityHash: 'id-a', seq: 900 }), 'added');
      assert.deepEqual(await s.store.noticeOf(ref, 'id-a'), { state: 'pending', seq: 900 });
      assert.deepEqual(await s.store.dueNotices(ref, { throughSeq: 899, limit: 10 }), []);
    });

    it('forgets a pending notice on opt-out', async () => {
      await s.store.optIn(ref, { identityHash: 'id-a', seq: 10 });
      await s.store.optOut(ref, 'id-a');
      await s.store.optOut(ref, 'id-never');
      assert.equal(await s.store.noticeOf(ref, 'id-a'), null);
      assert.equal(await s.store.markSent(ref, { identityHashes: ['id-a'], nowMs: NOW, keepMs: KEEP }), 0);
    });
  });
}
