import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { err, ok } from '../platform/result.ts';
import { bookingUnit } from '../../test/support/booking-unit.ts';
import type { AdmissionClaim, AdmissionProblem } from '../waiting-room/admission-check.ts';
import { createAdmittedRequests, type Admissions } from './admitted-request.ts';

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
});
