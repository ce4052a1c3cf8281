import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHmac } from 'node:crypto';
import { admissionIdFor, signAdmissionToken, verifyAdmissionToken, type Admission } from './admission-token.ts';
import { deriveKey } from '../platform/signing.ts';

const key = deriveKey('s'.repeat(40), 'admission');
const NOW = 1_700_000_000_000;
const admission: Admission = {
  admissionId: admissionIdFor(key, 'c1', 'id-1', { seq: 5, preScore: null }),
  campaignId: 'c1',
  identityHash: 'id-1',
  deviceId: 'dev-1',
  expiresAtMs: NOW + 600_000,
};
const expect = { campaignId: 'c1', identityHash: 'id-1', deviceId: 'dev-1', nowMs: NOW + 1_000 };
const reason = (r: { ok: boolean; reason?: string }) => (r.ok ? 'ok' : r.reason);
const b64 = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64url');
/** A JWT built by hand, signed with HMAC-SHA-`bits` (or unsigned when `bits` is absent). */
function handMadeJwt(header: object, payload: object, signWith?: { key: Uint8Array; bits: 256 | 384 }): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${signWith ? createHmac(`sha${signWith.bits}`, signWith.key).update(input).digest('base64url') : ''}`;
}
const claims = {
  cmp: 'c1',
  dev: 'dev-1',
  iss: 'yeyak/waiting-room',
  sub: 'id-1',
  jti: 'x',
  exp: Math.floor(NOW / 1000) + 60,
};

describe('admission token', () => {
  it('derives the same admission id for the same campaign, identity and place, and a different one otherwise', () => {
    assert.equal(admissionIdFor(key, 'c1', 'id-1', { seq: 5, preScore: null }), admission.admissionId);
    assert.notEqual(admissionIdFor(key, 'c1', 'id-1', { seq: 6, preScore: null }), admission.admissionId);
    assert.notEqual(admissionIdFor(key, 'c1', 'id-2', { seq: 5, preScore: null }), admission.admissionId);
    assert.notEqual(admissionIdFor(key, 'c2', 'id-1', { seq: 5, preScore: null }), admission.admissionId);
    assert.equal(
      admissionIdFor(key, 'c1', 'id-1', { seq: 9, preScore: 77 }),
      admissionIdFor(key, 'c1', 'id-1', { seq: 3, preScore: 77 }),
    );
  });

  it('verifies its own token for the same identity, device and campaign', async () => {
    const token = await signAdmissionToken(admission, key, NOW);
    const r = await verifyAdmissionToken(token, key, expect);
    assert.deepEqual(r, {
      ok: true,
      value: { ...admission, expiresAtMs: Math.floor(admission.expiresAtMs / 1000) * 1000 },
    });
  });

  it('refuses it for another person, another device or another campaign', async () => {
    const token = await signAdmissionToken(admission, key, NOW);
    assert.equal(reason(await verifyAdmissionToken(token, key, { ...expect, identityHash: 'id-2' })), 'other-identity');
    assert.equal(reason(await verifyAdmissionToken(token, key, { ...expect, deviceId: 'dev-2' })), 'other-device');
    assert.equal(reason(await verifyAdmissionToken(token, key, { ...expect, campaignId: 'c2' })), 'other-campaign');
  });

  it('refuses it after expiry by server time, whatever the client claims', async () => {
    const token = await signAdmissionToken(admission, key, NOW);
    assert.equal(reason(await verifyAdmissionToken(token, key, { ...expect, nowMs: NOW + 599_999 })), 'ok');
    assert.equal(reason(await verifyAdmissionToken(token, key, { ...expect, nowMs: NOW + 600_000 })), 'expired');
  });

  it('refuses a forged token, a tampered one and an unsigned one', async () => {
    const forged = await signAdmissionToken(admission, deriveKey('x'.repeat(40), 'admission'), NOW);
    assert.equal(reason(await verifyAdmissionToken(forged, key, expect)), 'bad-signature');
    const [h, p, s] = (await signAdmissionToken(admission, key, NOW)).split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    payload.exp += 3_600;
    const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    assert.equal(reason(await verifyAdmissionToken(tampered, key, expect)), 'bad-signature');
    const unsigned = handMadeJwt({ alg: 'none' }, claims);
    assert.equal(reason(await verifyAdmissionToken(unsigned, key, expect)), 'malformed');
    const otherAlg = handMadeJwt({ alg: 'HS384' }, claims, { key, bits: 384 });
    assert.equal(reason(await verifyAdmissionToken(otherAlg, key, expect)), 'malformed');
    assert.equal(reason(await verifyAdmissionToken('', key, expect)), 'malformed');
  });

  it('refuses a correctly signed token from another issuer', async () => {
    const other = handMadeJwt({ alg: 'HS256' }, { ...claims, iss: 'someone-else' }, { key, bits: 256 });
    assert.equal(reason(await verifyAdmissionToken(other, key, expect)), 'malformed');
    const sameIssuer = handMadeJwt({ alg: 'HS256' }, claims, { key, bits: 256 });
    assert.equal(reason(await verifyAdmissionToken(sameIssuer, key, expect)), 'ok');
  });
});
