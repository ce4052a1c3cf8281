/**
 * The one contract every WaitingRoomStore adapter must meet (BullMQ-style adapter conformance).
 * memory-store.test.ts runs it in the unit tier; redis-store.int.test.ts against real Redis.
 * Tests assert the stored record and counters, not only the returned values.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { PartitionCheckpoint } from '../../src/waiting-room/waiting-room.store.ts';
import { deviceTag, personField } from '../../src/waiting-room/keys.ts';
import { PRE_SCORE_RANGE, type Instant, type WaitingRoomStore } from '../../src/waiting-room/waiting-room.store.ts';

export interface StoreUnderTest {
  readonly store: WaitingRoomStore;
  /** Delete everything the test wrote and close connections. */
  cleanup(): Promise<void>;
}

const OPENS = 1_700_000_000_000;
const GRACE = 60_000;
const TTL = 600_000;
const LOCKOUT = 600_000;
const at = (nowMs: number): Instant => ({ nowMs, opensAtMs: OPENS });
const BEFORE = at(OPENS - 60_000);
const OPEN = at(OPENS);
const ref = { campaignId: 'camp-1', partition: 0 };
const joiner = (i: number, preScore = i * 1_000) => ({
  identityHash: `id-${i}`,
  deviceId: `dev-${i}`,
  preScore,
  lockoutMs: LOCKOUT,
});
const claimOf = (i: number) => ({ identityHash: `id-${i}`, deviceId: `dev-${i}`, admissionTtlMs: TTL, graceMs: GRACE });
const checkpoint = (o: Partial<PartitionCheckpoint>): PartitionCheckpoint => ({
  partition: 0,
  cursor: 0,
  tail: 0,
  frozen: 0,
  preRoom: 0,
  claimedTotal: 0,
  graceFloor: 0,
  savedAtMs: OPENS,
  ...o,
});

function value<T>(r: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!r.ok) assert.fail(`expected ok, got ${r.reason}`);
  return r.value;
}

export function storeContract(name: string, setup: () => Promise<StoreUnderTest>): void {
  describe(`WaitingRoomStore contract: ${name}`, () => {
    let sut: StoreUnderTest;
    let store: WaitingRoomStore;
    beforeEach(async () => {
      sut = await setup();
      store = sut.store;
    });
    afterEach(async () => {
      await sut.cleanup();
    });

    const openWith = async (n: number, t = OPEN) => {
      await store.openQueue(ref);
      for (let i = 1; i <= n; i += 1) value(await store.join(ref, joiner(i), t));
    };

    describe('opening', () => {
      it('reports missing state until the queue is opened, and opening is idempotent', async () => {
        assert.deepEqual(await store.stats(ref, OPEN), { ok: false, reason: 'missing-state' });
        assert.deepEqual(await store.join(ref, joiner(1), OPEN), { ok: false, reason: 'missing-state' });
        assert.equal(await store.openQueue(ref), 'created');
        assert.equal(await store.openQueue(ref), 'exists');
        assert.equal(value(await store.stats(ref, OPEN)).tail, 0);
      });
    });

    describe('join', () => {
      it('hands out seqs in arrival order after opening and stores a small waiting record', async () => {
        await store.openQueue(ref);
        const seqs = [];
        for (let i = 1; i <= 3; i += 1) seqs.push(value(await store.join(ref, joiner(i), at(OPENS + i))).seq);
        assert.deepEqual(seqs, [1, 2, 3]);
        assert.deepEqual(await store.personRecord(ref, 'id-2'), {
          seq: 2,
          preScore: null,
          deviceTag: deviceTag('dev-2'),
          state: 'waiting',
          lockedUntilMs: null,
          admissionExpiresAtMs: null,
        });
        const s = value(await store.stats(ref, OPEN));
        assert.deepEqual([s.cursor, s.tail, s.waiting, s.frozen], [0, 3, 3, 0]);
      });

      it('gives the same device the same place back and never a new seq (reload, new connection)', async () => {
        await openWith(2);
        const again = value(await store.join(ref, joiner(1), at(OPENS + 5_000)));
        assert.deepEqual(again, { kind: 'rejoined', seq: 1, preScore: null });
        assert.equal(value(await store.stats(ref, OPEN)).tail, 2);
      });

      it('refuses a second device while a place is held and locks other devices out', async () => {
        await openWith(1);
        const r = await store.join(ref, { ...joiner(1), deviceId: 'tablet' }, at(OPENS + 10));
        assert.deepEqual(r, { ok: false, reason: 'other-device', detail: { lockedUntilMs: OPENS + 10 + LOCKOUT } });
        const rec = await store.personRecord(ref, 'id-1');
        assert.equal(rec?.deviceTag, deviceTag('dev-1'));
        assert.equal(rec?.lockedUntilMs, OPENS + 10 + LOCKOUT);
        assert.equal(value(await store.stats(ref, OPEN)).tail, 1);
      });

      it('keeps the lock-out after the holder leaves, then lets another device join at the back', async () => {
        await openWith(2);
        await store.join(ref, { ...joiner(1), deviceId: 'tablet' }, at(OPENS + 10));
        value(await store.releasePlace(ref, joiner(1), at(OPENS + 20)));
        const during = await store.join(ref, { ...joiner(1), deviceId: 'tablet' }, at(OPENS + 30));
        assert.equal(during.ok ? 'ok' : during.reason, 'other-device');
        const after = value(await store.join(ref, { ...joiner(1), deviceId: 'tablet' }, at(OPENS + 31 + LOCKOUT)));
        assert.deepEqual(after, { kind: 'new', seq: 3, preScore: null });
        assert.equal((await store.personRecord(ref, 'id-1'))?.deviceTag, deviceTag('tablet'));
      });

      it('refuses anyone once the booking completed', async () => {
        await openWith(1);
        value(await store.advanceCursor(ref, { count: 1, graceMs: GRACE }, OPEN));
        value(await store.claimAdmission(ref, claimOf(1), OPEN));
        value(await store.completeAdmission(ref, 'id-1', OPEN));
        assert.deepEqual(await store.join(ref, joiner(1), at(OPENS + 1)), { ok: false, reason: 'completed' });
        assert.equal((await store.personRecord(ref, 'id-1'))?.state, 'completed');
      });

      it('reads a state alone as the record has it, and null for nobody', async () => {
        await openWith(2);
        value(await store.advanceCursor(ref, { count: 1, graceMs: GRACE }, OPEN));
        value(await store.claimAdmission(ref, claimOf(1), OPEN));
        assert.deepEqual(
          [
            await store.personState(ref, 'id-1'),
            await store.personState(ref, 'id-2'),
            await store.personState(ref, 'id-9'),
          ],
          ['admitted', 'waiting', null],
        );
        value(await store.completeAdmission(ref, 'id-1', OPEN));
        assert.equal(await store.personState(ref, 'id-1'), (await store.personRecord(ref, 'id-1'))?.state);
        assert.equal(await store.personState(ref, 'id-1'), 'completed');
      });

      it('returns the held admission to the same device instead of a place', async () => {
        await openWith(1);
        value(await store.advanceCursor(ref, { count: 1, graceMs: GRACE }, OPEN));
        value(await store.claimAdmission(ref, claimOf(1), OPEN));
        const again = value(await store.join(ref, joiner(1), at(OPENS + 5)));
        assert.deepEqual(again, { kind: 'admitted', seq: 1, preScore: null, admissionExpiresAtMs: OPENS + TTL });
      });

      it("counts an identity's joins in its window and refuses the one over the limit, keeping the place", async () => {
        await store.openQueue(ref);
        const limited = (i: number) => ({ ...joiner(i), joinLimit: { maxPerWindow: 3, windowMs: 60_000 } });
        assert.equal(value(await store.join(ref, limited(1), at(OPENS + 1_000))).kind, 'new');
        // A refused attempt (another device) counts like any other.
        const other = await store.join(ref, { ...limited(1), deviceId: 'tablet' }, at(OPENS + 2_000));
        assert.equal(other.ok ? 'ok' : other.reason, 'other-device');
        assert.equal(value(await store.join(ref, limited(1), at(OPENS + 3_000))).kind, 'rejoined');
        const over = await store.join(ref, limited(1), at(OPENS + 4_000));
        assert.deepEqual(over, { ok: false, reason: 'too-many-joins', detail: { windowEndsMs: OPENS + 61_000 } });
        assert.equal((await store.personRecord(ref, 'id-1'))?.seq, 1, 'the place is kept');
        assert.equal(
          value(await store.join(ref, limited(2), at(OPENS + 4_000))).seq,
          2,
          'another identity is not limited',
        );
        // The window's end is fixed by its first join: the first join at or after it starts a new one.
        const still = await store.join(ref, limited(1), at(OPENS + 60_999));
        assert.equal(still.ok ? 'ok' : still.reason, 'too-many-joins');
        assert.deepEqual(value(await store.join(ref, limited(1), at(OPENS + 61_000))), {
          kind: 'rejoined',
          seq: 1,
          preScore: null,
        });
        assert.equal(value(await store.stats(ref, OPEN)).tail, 2);
      });

      it('counts nothing without a limit, and nothing when the state is missing', async () => {
        const limited = { ...joiner(1), joinLimit: { maxPerWindow: 1, windowMs: 60_000 } };
        assert.deepEqual(await store.join(ref, limited, OPEN), { ok: false, reason: 'missing-state' });
        await store.openQueue(ref);
        for (let i = 0; i < 3; i += 1) value(await store.join(ref, joiner(1), at(OPENS + i)));
        assert.equal(value(await store.join(ref, limited, at(OPENS + 10))).kind, 'rejoined');
        const over = await store.join(ref, limited, at(OPENS + 11));
        assert.equal(over.ok ? 'ok' : over.reason, 'too-many-joins');
      });
    });

    describe('joinMany', () => {
      const limited = (i: number, max: number) => ({
        ...joiner(i),
        joinLimit: { maxPerWindow: max, windowMs: 60_000 },
      });

      it('gives each entry what join would, in the order given, in one step', async () => {
        await openWith(1);
        value(await store.join(ref, joiner(2), at(OPENS + 1)));
        value(await store.advanceCursor(ref, { count: 1, graceMs: GRACE }, OPEN));
        value(await store.claimAdmission(ref, claimOf(1), OPEN));
        const r = value(
          await store.joinMany(
            ref,
            [joiner(3), joiner(2), { ...joiner(2), deviceId: 'tablet' }, joiner(1), joiner(4)],
            at(OPENS + 10),
          ),
        );
        assert.deepEqual(r, [
          { ok: true, value: { kind: 'new', seq: 3, preScore: null } },
          { ok: true, value: { kind: 'rejoined', seq: 2, preScore: null } },
          { ok: false, reason: 'other-device', detail: { lockedUntilMs: OPENS + 10 + LOCKOUT } },
          { ok: true, value: { kind: 'admitted', seq: 1, preScore: null, admissionExpiresAtMs: OPENS + TTL } },
          { ok: true, value: { kind: 'new', seq: 4, preScore: null } },
        ]);
        assert.deepEqual(await store.personRecord(ref, 'id-4'), {
          seq: 4,
          preScore: null,
          deviceTag: deviceTag('dev-4'),
          state: 'waiting',
          lockedUntilMs: null,
          admissionExpiresAtMs: null,
        });
        assert.equal((await store.personRecord(ref, 'id-2'))?.lockedUntilMs, OPENS + 10 + LOCKOUT);
        assert.equal(value(await store.stats(ref, OPEN)).tail, 4);
      });

      it('takes one place for an identity given twice: the second entry is a re-join, or refused from another device', async () => {
        await store.openQueue(ref);
        const r = value(
          await store.joinMany(ref, [joiner(1), joiner(1), { ...joiner(1), deviceId: 'tablet' }], at(OPENS + 1)),
        );
        assert.deepEqual(
          r.map((x) => (x.ok ? `${x.value.kind} ${x.value.seq}` : x.reason)),
          ['new 1', 'rejoined 1', 'other-device'],
        );
        assert.equal(value(await store.stats(ref, OPEN)).tail, 1);
      });

      it("counts each entry against its identity's limit, and only the entries that carry one", async () => {
        await store.openQueue(ref);
        const r = value(
          await store.joinMany(ref, [limited(1, 2), limited(1, 2), limited(1, 2), joiner(1), limited(2, 2)], OPEN),
        );
        assert.deepEqual(
          r.map((x) => (x.ok ? x.value.kind : x.reason)),
          ['new', 'rejoined', 'too-many-joins', 'rejoined', 'new'],
        );
        const over = await store.join(ref, limited(1, 2), at(OPENS + 1));
        assert.deepEqual(over, { ok: false, reason: 'too-many-joins', detail: { windowEndsMs: OPENS + 60_000 } });
      });

      it('puts entries before the opening into the pre-room by score, and freezes at the opening like join', async () => {
        await store.openQueue(ref);
        const before = value(await store.joinMany(ref, [joiner(1, 900), joiner(2, 100)], BEFORE));
        assert.deepEqual(before, [
          { ok: true, value: { kind: 'new', seq: null, preScore: 900 } },
          { ok: true, value: { kind: 'new', seq: null, preScore: 100 } },
        ]);
        const after = value(await store.joinMany(ref, [joiner(3), joiner(1)], OPEN));
        assert.deepEqual(after, [
          { ok: true, value: { kind: 'new', seq: 3, preScore: null } },
          { ok: true, value: { kind: 'rejoined', seq: 2, preScore: 900 } },
        ]);
        assert.equal(value(await store.stats(ref, OPEN)).frozen, 2);
      });

      it('answers missing-state for the whole batch and changes nothing, and an empty batch with nothing', async () => {
        assert.deepEqual(await store.joinMany(ref, [limited(1, 1), joiner(2)], OPEN), {
          ok: false,
          reason: 'missing-state',
        });
        await store.openQueue(ref);
        assert.deepEqual(await store.joinMany(ref, [], OPEN), { ok: true, value: [] });
        assert.equal(
          value(await store.join(ref, limited(1, 1), OPEN)).kind,
          'new',
          'the refused batch counted nothing',
        );
        assert.equal(await store.personRecord(ref, 'id-2'), null);
      });
    });

    describe('pre-room', () => {
      it('keeps joins before opening in the pre-room, unranked', async () => {
        await store.openQueue(ref);
        const r = value(await store.join(ref, joiner(1, 777), BEFORE));
        assert.deepEqual(r, { kind: 'new', seq: null, preScore: 777 });
        const s = value(await store.stats(ref, BEFORE));
        assert.deepEqual([s.preRoom, s.frozen, s.tail, s.waiting], [1, null, 0, 1]);
        assert.deepEqual(await store.advanceCursor(ref, { count: 5, graceMs: GRACE }, BEFORE), {
          ok: false,
          reason: 'not-open',
        });
      });

      it('freezes at opening and ranks by score alone, ahead of everyone who came after', async () => {
        await store.openQueue(ref);
        const scores = [900, 100, 500];
        for (let i = 0; i < 3; i += 1) value(await store.join(ref, joiner(i + 1, scores[i]), at(OPENS - 3_000 + i)));
        const late = value(await store.join(ref, joiner(4), at(OPENS + 1)));
        assert.equal(late.seq, 4);
        const seqOf = async (i: number) => value(await store.positionOf(ref, `id-${i}`, at(OPENS + 2))).seq;
        assert.deepEqual([await seqOf(2), await seqOf(3), await seqOf(1)], [1, 2, 3]);
        assert.equal(value(await store.stats(ref, OPEN)).frozen, 3);
        assert.equal((await store.personRecord(ref, 'id-1'))?.seq, 3, 'the resolved rank is stored');
        assert.equal((await store.personRecord(ref, 'id-1'))?.preScore, 900);
      });

      it('lists the pre-room in rank order (score, then member), page by page, leavers kept after the freeze', async () => {
        await store.openQueue(ref);
        const scores = [900, 100, 500, 100];
        for (let i = 0; i < 4; i += 1) value(await store.join(ref, joiner(i + 1, scores[i]), at(OPENS - 3_000 + i)));
        const [f1, f2, f3, f4] = [1, 2, 3, 4].map((i) => personField(`id-${i}`));
        const tie = [f2!, f4!].sort();
        value(await store.stats(ref, OPEN));
        value(await store.releasePlace(ref, { identityHash: 'id-3', deviceId: 'dev-3' }, OPEN));
        assert.deepEqual(await store.preRoomMembers(ref, { offset: 0, limit: 10 }), [...tie, f3, f1]);
        assert.deepEqual(await store.preRoomMembers(ref, { offset: 1, limit: 2 }), [tie[1], f3]);
        assert.deepEqual(await store.preRoomMembers(ref, { offset: 4, limit: 2 }), []);
        for (const [i, field] of [...tie, f3, f1].entries()) {
          const n = [f1, f2, f3, f4].indexOf(field) + 1;
          assert.equal(
            (await store.personRecord(ref, `id-${n}`))?.seq ?? value(await store.positionOf(ref, `id-${n}`, OPEN)).seq,
            i + 1,
          );
        }
      });

      it('gives pre-room members exact scores up to 2^48 back without loss', async () => {
        await store.openQueue(ref);
        const big = PRE_SCORE_RANGE - 2;
        assert.equal(value(await store.join(ref, joiner(1, big), BEFORE)).preScore, big);
        assert.equal((await store.personRecord(ref, 'id-1'))?.preScore, big);
      });

      it('lets a pre-room member leave before opening, and not count in the frozen size', async () => {
        await store.openQueue(ref);
        for (let i = 1; i <= 3; i += 1) value(await store.join(ref, joiner(i), BEFORE));
        value(await store.releasePlace(ref, joiner(2), BEFORE));
        assert.equal(value(await store.stats(ref, OPEN)).frozen, 2);
        assert.equal(value(await store.positionOf(ref, 'id-3', OPEN)).seq, 2);
      });

      it('does not move anyone when a pre-room member leaves after opening', async () => {
        await store.openQueue(ref);
        for (let i = 1; i <= 3; i += 1) value(await store.join(ref, joiner(i), BEFORE));
        value(await store.stats(ref, OPEN));
        value(await store.releasePlace(ref, joiner(1), at(OPENS + 1)));
        assert.equal(value(await store.positionOf(ref, 'id-3', at(OPENS + 2))).seq, 3);
      });
    });

    describe('advance and claim', () => {
      it('advances at most to the tail', async () => {
        await openWith(3);
        assert.deepEqual(value(await store.advanceCursor(ref, { count: 5, graceMs: GRACE }, OPEN)), {
          advanced: 3,
          cursor: 3,
          tail: 3,
        });
        assert.equal(value(await store.stats(ref, OPEN)).waiting, 0);
      });

      it('refuses a claim before the cursor reaches the seq and leaves the person waiting', async () => {
        await openWith(3);
        value(await store.advanceCursor(ref, { count: 1, graceMs: GRACE }, OPEN));
        assert.deepEqual(await store.claimAdmission(ref, claimOf(2), OPEN), {
          ok: false,
          reason: 'not-reached',
          detail: { seq: 2, cursor: 1 },
        });
        assert.equal((await store.personRecord(ref, 'id-2'))?.state, 'waiting');
        assert.equal(value(await store.stats(ref, OPEN)).claimedTotal, 0);
      });

      it('claims once: a re-claim returns the same admission and is counted once', async () => {
        await openWith(2);
        value(await store.advanceCursor(ref, { count: 1, graceMs: GRACE }, OPEN));
        const first = value(await store.claimAdmission(ref, claimOf(1), at(OPENS + 100)));
        const second = value(await store.claimAdmission(ref, claimOf(1), at(OPENS + 5_000)));
        assert.deepEqual(first, {
          seq: 1,
          preScore: null,
          admissionExpiresAtMs: OPENS + 100 + TTL,
          isFirstClaim: true,
        });
        assert.deepEqual(second, { ...first, isFirstClaim: false });
        const s = value(await store.stats(ref, at(OPENS + 5_000)));
        assert.deepEqual([s.claimedTotal, s.activeSessions], [1, 1]);
        const rec = await store.personRecord(ref, 'id-1');
        assert.deepEqual([rec?.state, rec?.admissionExpiresAtMs], ['admitted', OPENS + 100 + TTL]);
      });

      it('refuses a claim from another device', async () => {
        await openWith(1);
        value(await store.advanceCursor(ref, { count: 1, graceMs: GRACE }, OPEN));
        const r = await store.claimAdmission(ref, { ...claimOf(1), deviceId: 'tablet' }, OPEN);
        assert.equal(r.ok ? 'ok' : r.reason, 'other-device');
        assert.equal((await store.personRecord(ref, 'id-1'))?.state, 'waiting');
      });

      it('admits someone who was skipped if they come back within the grace period', async () => {
        await openWith(3);
        value(await store.advanceCursor(ref, { count: 1, graceMs: GRACE }, OPEN));
        value(await store.advanceCursor(ref, { count: 2, graceMs: GRACE }, at(OPENS + GRACE - 10)));
        assert.equal(value(await store.claimAdmission(ref, claimOf(1), at(OPENS + GRACE))).seq, 1);
      });

      it('expires a place reached more than the grace period ago', async () => {
        await openWith(2);
        value(await store.advanceCursor(ref, { count: 1, graceMs: GRACE }, OPEN));
        assert.deepEqual(await store.claimAdmission(ref, claimOf(1), at(OPENS + GRACE + 1)), {
          ok: false,
          reason: 'expired',
        });
        assert.equal((await store.personRecord(ref, 'id-1'))?.state, 'expired');
        assert.deepEqual(await store.claimAdmission(ref, claimOf(1), at(OPENS + GRACE + 2)), {
          ok: false,
          reason: 'expired',
        });
      });

      it('counts the grace period from the turn message when one went out (even past the grace floor)', async () => {
        await openWith(3);
        value(await store.advanceCursor(ref, { count: 2, graceMs: GRACE }, OPEN));
        value(await store.advanceCursor(ref, { count: 1, graceMs: GRACE }, at(OPENS + GRACE + 10)));
        const sentAtMs = OPENS + GRACE / 2;
        const late = at(sentAtMs + GRACE);
        assert.equal(value(await store.claimAdmission(ref, { ...claimOf(1), graceFromMs: sentAtMs }, late)).seq, 1);
        assert.equal((await store.personRecord(ref, 'id-1'))?.state, 'admitted');
        assert.deepEqual(
          await store.claimAdmission(ref, { ...claimOf(2), graceFromMs: sentAtMs }, at(sentAtMs + GRACE + 1)),
          {
            ok: false,
            reason: 'expired',
          },
        );
      });

      it('forgets old advances but keeps a grace floor, so later advances do not revive old seqs', async () => {
        await openWith(2);
        value(await store.advanceCursor(ref, { count: 1, graceMs: GRACE }, OPEN));
        value(await store.advanceCursor(ref, { count: 1, graceMs: GRACE }, at(OPENS + GRACE + 10)));
        assert.equal(value(await store.stats(ref, OPEN)).graceFloor, 1);
        assert.deepEqual(await store.claimAdmission(ref, claimOf(1), at(OPENS + GRACE + 11)), {
          ok: false,
          reason: 'expired',
        });
        assert.equal(value(await store.claimAdmission(ref, claimOf(2), at(OPENS + GRACE + 11))).seq, 2);
      });

      it('ends admissions at their expiry and frees their sessions', async () => {
        await openWith(1);
        value(await store.advanceCursor(ref, { count: 1, graceMs: GRACE }, OPEN));
        value(await store.claimAdmission(ref, claimOf(1), OPEN));
        assert.equal(value(await store.expireAdmissions(ref, { limit: 10 }, at(OPENS + TTL - 1))), 0);
        assert.equal(value(await store.expireAdmissions(ref, { limit: 10 }, at(OPENS + TTL))), 1);
        assert.equal((await store.personRecord(ref, 'id-1'))?.state, 'expired');
        assert.equal(value(await store.stats(ref, at(OPENS + TTL))).activeSessions, 0);
        assert.deepEqual(await store.claimAdmission(ref, claimOf(1), at(OPENS + TTL)), {
          ok: false,
          reason: 'expired',
        });
      });

      it('sends the holder to the back after their place expired', async () => {
        await openWith(2);
        value(await store.advanceCursor(ref, { count: 1, graceMs: GRACE }, OPEN));
        await store.claimAdmission(ref, claimOf(1), at(OPENS + GRACE + 1));
        assert.deepEqual(value(await store.join(ref, joiner(1), at(OPENS + GRACE + 2))), {
          kind: 'new',
          seq: 3,
          preScore: null,
        });
      });
    });

    describe('complete and release', () => {
      it('completing ends the admission, frees the session and is idempotent', async () => {
        await openWith(1);
        value(await store.advanceCursor(ref, { count: 1, graceMs: GRACE }, OPEN));
        value(await store.claimAdmission(ref, claimOf(1), OPEN));
        value(await store.completeAdmission(ref, 'id-1', OPEN));
        value(await store.completeAdmission(ref, 'id-1', OPEN));
        assert.equal(value(await store.stats(ref, OPEN)).activeSessions, 0);
        assert.deepEqual(await store.claimAdmission(ref, claimOf(1), OPEN), { ok: false, reason: 'completed' });
      });

      it('after a cancel, the completed identity joins again at the back as a new arrival', async () => {
        await openWith(3);
        value(await store.advanceCursor(ref, { count: 1, graceMs: GRACE }, OPEN));
        value(await store.claimAdmission(ref, claimOf(1), OPEN));
        value(await store.completeAdmission(ref, 'id-1', OPEN));
        value(await store.reopenAfterCancel(ref, 'id-1', at(OPENS + 10)));
        assert.equal((await store.personRecord(ref, 'id-1'))?.state, 'expired');
        assert.deepEqual(value(await store.join(ref, joiner(1), at(OPENS + 20))), {
          kind: 'new',
          seq: 4,
          preScore: null,
        });
        const rec = await store.personRecord(ref, 'id-1');
        assert.equal(rec?.state, 'waiting');
        assert.equal(rec?.seq, 4);
        assert.equal(value(await store.stats(ref, at(OPENS + 20))).tail, 4);
      });

      it('reopening keeps one device per person: another device is refused while the new place is held', async () => {
        await openWith(1);
        value(await store.advanceCursor(ref, { count: 1, graceMs: GRACE }, OPEN));
        value(await store.claimAdmission(ref, claimOf(1), OPEN));
        value(await store.completeAdmission(ref, 'id-1', OPEN));
        value(await store.reopenAfterCancel(ref, 'id-1', OPEN));
        value(await store.join(ref, joiner(1), at(OPENS + 1)));
        const other = await store.join(ref, { ...joiner(1), deviceId: 'tablet' }, at(OPENS + 2));
        assert.equal(other.ok ? 'ok' : other.reason, 'other-device');
      });

      it('reopens only a completed identity', async () => {
        await openWith(1);
        assert.deepEqual(await store.reopenAfterCancel(ref, 'id-1', OPEN), { ok: false, reason: 'not-completed' });
        assert.equal((await store.personRecord(ref, 'id-1'))?.state, 'waiting');
        assert.deepEqual(await store.reopenAfterCancel(ref, 'id-9', OPEN), { ok: false, reason: 'unknown' });
        assert.deepEqual(await store.reopenAfterCancel({ campaignId: 'none', partition: 0 }, 'id-1', OPEN), {
          ok: false,
          reason: 'missing-state',
        });
      });

      it('refuses to complete for someone still waiting, or unknown', async () => {
        await openWith(1);
        assert.deepEqual(await store.completeAdmission(ref, 'id-1', OPEN), { ok: false, reason: 'not-admitted' });
        assert.deepEqual(await store.completeAdmission(ref, 'id-9', OPEN), { ok: false, reason: 'unknown' });
      });

      it('releasing an admission frees the session; only the holder device may release', async () => {
        await openWith(1);
        value(await store.advanceCursor(ref, { count: 1, graceMs: GRACE }, OPEN));
        value(await store.claimAdmission(ref, claimOf(1), OPEN));
        const other = await store.releasePlace(ref, { identityHash: 'id-1', deviceId: 'tablet' }, OPEN);
        assert.equal(other.ok ? 'ok' : other.reason, 'other-device');
        value(await store.releasePlace(ref, joiner(1), OPEN));
        assert.equal(value(await store.stats(ref, OPEN)).activeSessions, 0);
        assert.equal((await store.personRecord(ref, 'id-1'))?.state, 'expired');
      });
    });

    describe('admission settings', () => {
      it('keeps one record per campaign, replaced by the last write, none before the first', async () => {
        assert.equal(await store.readAdmissionSettings('camp-1'), null);
        const first = {
          plannedRatePerSec: 250,
          plannedTurnoverPerSec: [300, 280.5, 250],
          message: { ko: '잠시 멈춤', en: 'Paused briefly' },
          updatedAtMs: OPENS,
        };
        await store.writeAdmissionSettings('camp-1', first);
        assert.deepEqual(await store.readAdmissionSettings('camp-1'), first);
        assert.equal(await store.readAdmissionSettings('camp-2'), null);
        const second = { plannedRatePerSec: null, message: null, updatedAtMs: OPENS + 1 };
        await store.writeAdmissionSettings('camp-1', second);
        assert.deepEqual(await store.readAdmissionSettings('camp-1'), second);
      });
    });

    describe('survival', () => {
      it('restores counters only where state is missing', async () => {
        const cp = checkpoint({ cursor: 4, tail: 10, frozen: 3, preRoom: 3, claimedTotal: 2, graceFloor: 1 });
        assert.equal(value(await store.restoreFrom(ref, cp, OPEN)), 'restored');
        const s = value(await store.stats(ref, OPEN));
        assert.deepEqual([s.cursor, s.tail, s.frozen, s.claimedTotal, s.graceFloor], [4, 10, 3, 2, 1]);
        assert.equal(value(await store.restoreFrom(ref, checkpoint({ cursor: 0 }), OPEN)), 'present');
        assert.equal(value(await store.stats(ref, OPEN)).cursor, 4);
      });

      it('reinserts a ticket holder at their seq and puts later joins behind them', async () => {
        value(await store.restoreFrom(ref, checkpoint({ cursor: 2, tail: 5 }), OPEN));
        assert.deepEqual(
          value(await store.reinsert(ref, { identityHash: 'id-9', deviceId: 'dev-9', seq: 9, preScore: null }, OPEN)),
          { kind: 'reinserted', seq: 9, preScore: null },
        );
        assert.equal(value(await store.join(ref, joiner(1), OPEN)).seq, 10);
        assert.equal((await store.personRecord(ref, 'id-9'))?.deviceTag, deviceTag('dev-9'));
        const again = value(
          await store.reinsert(ref, { identityHash: 'id-9', deviceId: 'dev-9', seq: 3, preScore: null }, OPEN),
        );
        assert.deepEqual(again, { kind: 'present', seq: 9, preScore: null });
      });

      it('gives seqs up to the restored cursor a fresh grace period, except below the grace floor', async () => {
        value(await store.restoreFrom(ref, checkpoint({ cursor: 5, tail: 8, graceFloor: 2 }), at(OPENS + 1_000)));
        for (const seq of [2, 4])
          value(
            await store.reinsert(
              ref,
              { identityHash: `id-${seq}`, deviceId: `dev-${seq}`, seq, preScore: null },
              at(OPENS + 1_000),
            ),
          );
        assert.equal(value(await store.claimAdmission(ref, claimOf(4), at(OPENS + 1_000 + GRACE))).seq, 4);
        assert.deepEqual(await store.claimAdmission(ref, claimOf(2), at(OPENS + 1_000)), {
          ok: false,
          reason: 'expired',
        });
      });

      it('places an unresolved pre-room ticket by its score quantile when ranks were lost after opening', async () => {
        value(await store.restoreFrom(ref, checkpoint({ frozen: 100, tail: 100, preRoom: 100 }), OPEN));
        const put = async (i: number, u: number) =>
          value(
            await store.reinsert(
              ref,
              { identityHash: `id-${i}`, deviceId: `dev-${i}`, seq: null, preScore: Math.floor(u * PRE_SCORE_RANGE) },
              OPEN,
            ),
          ).seq;
        assert.deepEqual([await put(1, 0.25), await put(2, 0.7501), await put(3, 0)], [25, 76, 1]);
        assert.equal(value(await store.stats(ref, OPEN)).tail, 100);
      });

      it('takes the pre-room size as frozen when the loss straddled the opening', async () => {
        value(await store.restoreFrom(ref, checkpoint({ frozen: null, tail: 0, preRoom: 40 }), OPEN));
        assert.deepEqual(
          [value(await store.stats(ref, OPEN)).frozen, value(await store.join(ref, joiner(1), OPEN)).seq],
          [40, 41],
        );
      });

      it('after losing an unfrozen pre-room, freezes at no less than its size and places everyone by score quantile', async () => {
        value(await store.restoreFrom(ref, checkpoint({ frozen: null, preRoom: 100 }), BEFORE));
        // Until the opening the room still says 100 are in the pre-room (the size it will freeze at),
        // not 0: in the quick start a killed server showed an empty pre-room until the opening.
        assert.deepEqual(
          [value(await store.stats(ref, BEFORE)).preRoom, value(await store.stats(ref, BEFORE)).waiting],
          [100, 100],
        );
        const q = (u: number) => Math.floor(u * PRE_SCORE_RANGE);
        value(
          await store.reinsert(ref, { identityHash: 'id-1', deviceId: 'dev-1', seq: null, preScore: q(0.5) }, BEFORE),
        );
        value(
          await store.reinsert(ref, { identityHash: 'id-2', deviceId: 'dev-2', seq: null, preScore: q(0.1) }, BEFORE),
        );
        value(await store.join(ref, joiner(3, q(0.9)), BEFORE));
        assert.equal(value(await store.stats(ref, OPEN)).frozen, 100);
        const seqs = [];
        for (const i of [1, 2, 3]) seqs.push(value(await store.positionOf(ref, `id-${i}`, OPEN)).seq);
        assert.deepEqual(seqs, [50, 10, 90]);
        assert.equal(value(await store.join(ref, joiner(4), OPEN)).seq, 101);
      });

      it('puts a pre-room ticket back into the pre-room before opening', async () => {
        value(await store.restoreFrom(ref, checkpoint({ frozen: null, preRoom: 1 }), BEFORE));
        const r = value(
          await store.reinsert(ref, { identityHash: 'id-1', deviceId: 'dev-1', seq: null, preScore: 5 }, BEFORE),
        );
        assert.deepEqual(r, { kind: 'reinserted', seq: null, preScore: 5 });
        assert.equal(value(await store.stats(ref, BEFORE)).preRoom, 1);
      });
    });
  });
}
