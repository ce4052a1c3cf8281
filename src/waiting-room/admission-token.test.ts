import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { admissionIdFor, signAdmissionToken, verifyAdmissionToken, type Admission } from './admission-token.ts';
import { deriveSigningKey } from './ticket.ts';

const key = deriveSigningKey('s'.repeat(40), 'admission');
const NOW = 1_700_000_000_000;
const admission: Admission = {
  admissionId: admissionIdFor(key, 'c1', 'id-1', { seq: 5, preScore: null }),
  campaignId: 'c1', identityHash: 'id-1', deviceId: 'dev-1', expiresAtMs: NOW + 600_000,
};
const expect = { campaignId: 'c1', identityHash: 'id-1', deviceId: 'dev-1', nowMs: NOW + 1_000 };
const reason = (r: { ok: boolean; reason?: string }) => (r.ok ? 'ok' : r.reason);

describe('admission token', () => {
  it('derives the same admission id for the same campaign, identity and place, and a different one otherwise', () => {
    assert.equal(admissionIdFor(key, 'c1', 'id-1', { seq: 5, preScore: null }), admission.admissionId);
    assert.notEqual(admissionIdFor(key, 'c1', 'id-1', { seq: 6, preScore: null }), admission.admissionId);
    assert.notEqual(admissionIdFor(key, 'c1', 'id-2', { seq: 5, preScore: null }), admission.admissionId);
    assert.notEqual(admissionIdFor(key, 'c2', 'id-1', { seq: 5, preScore: null }), admission.admissionId);
    assert.equal(admissionIdFor(key, 'c1', 'id-1', { seq: 9, preScore: 77 }), admissionIdFor(key, 'c1', 'id-1', { seq: 3, preScore: 77 }));
  });

  it('verifies its own token for the same identity, device and campaign', async () => {
    const token = await signAdmissionToken(admission, key, NOW);
    const r = await verifyAdmissionToken(token, key, expect);
    assert.deepEqual(r, { ok: true, value: { ...admission, expiresAtMs: Math.floor(admission.expiresAtMs / 1000) * 1000 } });
  });

  it('refuses it for another person, another device or another campaign', async () => {
    const token = await signAdmissionToken(admission, key, NOW);
    assert.equal(reason(await verifyAdmissionToken(token, key, { ...expect, identityHash: 'id-2' })), 'other-identity');
    assert.equal(reason(await verifyAdmissionToken(token, key, { ...expect, deviceId: 'dev-2' })), 'other-device');
    assert.equal(reason(await verifyAdmissionToken(token, key, { ...expect, campaignId: 'c2' })), 'other-campaign');
  });

  it('refuses it after expiry by server time, whatever the client claims', async () => {
    const token = await signAdmissionToken(admission, key, NOW);
    assert.equal(reason(await verifyAdmissionToken(token, key, { ...expect, nowMs: NOW + 600_000 })), 'expired');
  });

  it('refuses a forged token, a tampered one and an unsigned one', async () => {
    const forged = await signAdmissionToken(admission, deriveSigningKey('x'.repeat(40), 'admission'), NOW);
    assert.equal(reason(await verifyAdmissionToken(forged, key, expect)), 'bad-signature');
    const [h, p, s] = (await signAdmissionToken(admission, key, NOW)).split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    payload.exp += 3_600;
    const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    assert.equal(reason(await verifyAdmissionToken(tampered, key, expect)), 'bad-signature');
    const unsigned = new UnsecuredJWT({ cmp: 'c1', dev: 'dev-1' }).setSubject('id-1').setJti('x').setExpirationTime('1h').encode();
    assert.equal(reason(await verifyAdmissionToken(unsigned, key, expect)), 'malformed');
    assert.equal(reason(await verifyAdmissionToken('', key, expect)), 'malformed');
  });

  it('refuses a correctly signed token from another issuer', async () => {
    const other = await new SignJWT({ cmp: 'c1', dev: 'dev-1' }).setProtectedHeader({ alg: 'HS256' }).setSubject('id-1')
      .setJti('x').setIssuer('someone-else').setExpirationTime(Math.floor(NOW / 1000) + 60).sign(key);
    assert.equal(reason(await verifyAdmissionToken(other, key, expect)), 'malformed');
  });
});
