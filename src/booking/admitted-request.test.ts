import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { err, ok } from '../platform/result.ts';
import { bookingUnit } from '../../test/support/booking-unit.ts';
import type { AdmissionClaim, AdmissionProblem } from '../waiting-room/admission-check.ts';
import { createAdmittedRequests, type Admissions } from './admitted-request.ts';
import { admissionCheck } from '../waiting-room/admission-check.ts';
import { newHarness, OPENS } from '../../test/support/waiting-room.ts';

/**
 * The waiting room's side as the booking path sees it: one admission per identity, ended once its
 * booking commits; a token other than the issued one is invalid.
 */
function admissionsFor(issued: Record<string, string>) {
  const ended: { identityHash: string; isProxy: boolean }[] = [];
  const admissions: Admissions = {
    async check(c: AdmissionClaim) {
      if (!c.token) return err<AdmissionProblem>('admission-required');
      if (issued[c.identityHash] !== c.token) return err<AdmissionProblem>('admission-invalid');
      if (ended.some((e) => e.identityHash === c.identityHash)) return err<AdmissionProblem>('admission-used');
      return ok({ admissionId: `adm-${c.identityHash}` });
    },
    async end(a) {
      ended.push({ identityHash: a.identityHash, isProxy: a.isProxy });
    },
    async reopen() {},
  };
  return { admissions, ended };
}

describe('an admitted booking', () => {
  const claim = (identityHash: string, token: string | undefined): AdmissionClaim => ({
    campaignId: 'demo',
    token,
    identityHash,
    deviceId: 'device-1',
  });

  it('is placed under the admission, which then ends; the same key again gets the same booking though the admission is used', async () => {
    const u = bookingUnit();
    const p = u.person();
    const { admissions, ended } = admissionsFor({ [p.identity_hash]: 'token-1' });
    const admitted = createAdmittedRequests({ booking: u.service, admissions });
    const input = { requesterId: p.id, campaignId: 'demo', slotId: u.slotPair().dose1.id, idempotencyKey: 'key-1' };

    const first = await admitted.placeBooking(claim(p.identity_hash, 'token-1'), input);
    const retry = await admitted.placeBooking(claim(p.identity_hash, 'token-1'), input);
    const otherKey = await admitted.placeBooking(claim(p.identity_hash, 'token-1'), {
      ...input,
      idempotencyKey: 'key-2',
    });

    assert.ok(first.ok && first.value.ok && retry.ok && retry.value.ok);
    assert.equal(retry.value.value.bookingNumber, first.value.value.bookingNumber);
    assert.equal([...u.stores.snapshot().bookings.values()][0]!.admission_id, `adm-${p.identity_hash}`);
    assert.deepEqual(
      ended,
      [{ identityHash: p.identity_hash, isProxy: false }],
      'ended once, by the booking that committed',
    );
    assert.deepEqual(otherKey, { ok: false, reason: 'admission-used' });
  });

  it('is refused by the gate before any booking work, and a refused or failed booking leaves the admission open', async () => {
    const u = bookingUnit();
    const [p, q] = [u.person(), u.person()];
    const { admissions, ended } = admissionsFor({ [p.identity_hash]: 'token-1', [q.identity_hash]: 'token-2' });
    const admitted = createAdmittedRequests({ booking: u.service, admissions });
    const slotId = u.slotPair({ capacity: 1 }).dose1.id;

    assert.deepEqual(
      await admitted.placeBooking(claim(p.identity_hash, undefined), {
        requesterId: p.id,
        campaignId: 'demo',
        slotId,
        idempotencyKey: 'k',
      }),
      { ok: false, reason: 'admission-required' },
    );
    assert.deepEqual(
      await admitted.placeBooking(claim(p.identity_hash, 'token-2'), {
        requesterId: p.id,
        campaignId: 'demo',
        slotId,
        idempotencyKey: 'k',
      }),
      { ok: false, reason: 'admission-invalid' },
    );
    assert.equal(u.stores.snapshot().bookings.size, 0);
    await admitted.placeBooking(claim(q.identity_hash, 'token-2'), {
      requesterId: q.id,
      campaignId: 'demo',
      slotId,
      idempotencyKey: 'q',
    });
    const full = await admitted.placeBooking(claim(p.identity_hash, 'token-1'), {
      requesterId: p.id,
      campaignId: 'demo',
      slotId,
      idempotencyKey: 'k',
    });
    assert.deepEqual(full.ok && !full.value.ok && full.value.reason, 'slot-full');
    assert.deepEqual(
      ended.map((e) => e.identityHash),
      [q.identity_hash],
    );
  });

  it('runs other work under the admission, and everything without one when the gate is off (ADMISSION_GATE=off)', async () => {
    const u = bookingUnit();
    const p = u.person();
    const { admissions } = admissionsFor({ [p.identity_hash]: 'token-1' });
    const seen: (string | undefined)[] = [];
    const work = async (admissionId: string | undefined) => {
      seen.push(admissionId);
      return ok('done');
    };
    assert.deepEqual(
      await createAdmittedRequests({ booking: u.service, admissions }).run(claim(p.identity_hash, 'token-1'), work),
      ok(ok('done')),
    );
    assert.deepEqual(
      await createAdmittedRequests({ booking: u.service, admissions }).run(claim(p.identity_hash, 'nope'), work),
      { ok: false, reason: 'admission-invalid' },
    );
    assert.deepEqual(
      await createAdmittedRequests({ booking: u.service, admissions: null }).run(
        claim(p.identity_hash, undefined),
        work,
      ),
      ok(ok('done')),
    );
    assert.deepEqual(seen, [`adm-${p.identity_hash}`, undefined]);
  });

  it('after cancelling their own booking, a person queues again at the back, is admitted anew and books once more; never two bookings at once', async () => {
    const u = bookingUnit();
    const [p, q] = [u.person(), u.person()];
    const h = await newHarness({ startMs: OPENS });
    await h.service.openCampaign({ campaignId: 'demo', opensAtMs: OPENS, partitions: 1 });
    const room = h.service;
    const admitted = createAdmittedRequests({
      booking: u.service,
      admissions: {
        check: admissionCheck(room),
        end: async (a) => void (await room.bookingPlaced(a)),
        reopen: async (a) => void (await room.bookingCancelled(a)),
      },
    });
    const who = (x: typeof p) => ({ campaignId: 'demo', identityHash: x.identity_hash, deviceId: `phone-${x.id}` });
    const admitNext = async () => {
      await h.store.advanceCursor(
        { campaignId: 'demo', partition: 0 },
        { count: 1, graceMs: 60_000 },
        { nowMs: h.clock.nowMs(), opensAtMs: OPENS },
      );
      await room.refreshSnapshot();
    };
    const tokenOf = async (x: typeof p, ticket: string) => {
      const s = await room.pollStatus({ campaignId: 'demo', ticket, deviceId: who(x).deviceId });
      assert.ok(s.ok && s.value.status.kind === 'admitted', JSON.stringify(s));
      return s.value.status.admissionToken;
    };
    const book = (x: typeof p, token: string, key: string) =>
      admitted.placeBooking(
        { ...who(x), token },
        { requesterId: x.id, campaignId: 'demo', slotId: u.slotPair().dose1.id, idempotencyKey: key },
      );

    const first = await room.joinQueue(who(p));
    assert.ok(first.ok);
    await admitNext();
    const token1 = await tokenOf(p, first.value.ticket);
    const booked = await book(p, token1, 'k1');
    assert.ok(booked.ok && booked.value.ok);
    const queued = await room.joinQueue(who(q));
    assert.ok(queued.ok && queued.value.status.kind === 'waiting', 'q joined while p held a booking');
    assert.equal((await room.joinQueue(who(p))).ok, false, 'booked: the queue turns p away');

    const cancelled = await admitted.cancelBooking(
      { identityHash: p.identity_hash },
      { requesterId: p.id, bookingNumber: booked.value.value.bookingNumber },
    );
    assert.ok(cancelled.ok && cancelled.value.status === 'cancelled');

    const again = await room.joinQueue(who(p));
    assert.ok(again.ok && again.value.status.kind === 'waiting', JSON.stringify(again));
    assert.equal(again.value.status.ahead, 1, 'behind q, who joined before the cancel');
    const reused = await book(p, token1, 'k2');
    assert.ok(!reused.ok, 'the first admission opens nothing after the cancel');
    await admitNext();
    await admitNext();
    const token2 = await tokenOf(p, again.value.ticket);
    const rebooked = await book(p, token2, 'k2');
    assert.ok(rebooked.ok && rebooked.value.ok, JSON.stringify(rebooked));
    const rows = [...u.stores.snapshot().bookings.values()].filter((b) => b.person_id === p.id);
    assert.deepEqual(rows.map((b) => b.status).sort(), ['active', 'cancelled']);
    const third = await book(p, token2, 'k3');
    assert.ok(!third.ok && third.reason === 'admission-used', JSON.stringify(third));
  });
});
