import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { fixedClock } from './clock.ts';
import { createTokenSigner, deriveKey } from './signing.ts';

const SECRET = 'signing-test-secret-0123456789abcdefghij';
const NOW = 1_700_000_000_000;
const nowS = NOW / 1000;
type Claims = { [key: string]: unknown; pid: number; ih: string };

const b64 = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64url');
/** A JWT built by hand with the session key, signed with HMAC-SHA-`bits` (unsigned when absent). */
function handMadeJwt(header: object, payload: object, bits?: 256 | 384): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const key = deriveKey(SECRET, 'identity-session');
  return `${input}.${bits ? createHmac(`sha${bits}`, key).update(input).digest('base64url') : ''}`;
}
const claims = { pid: 7, ih: 'hash-7', aud: 'identity-session', iat: nowS, exp: nowS + 60 };

describe('token signer', () => {
  it('gives back the claims it signed, with iat and exp from the injected clock', async () => {
    const clock = fixedClock(NOW);
    const sessions = createTokenSigner<Claims>(SECRET, 'identity-session', clock);
    const { token, expiresAtMs } = await sessions.sign({ pid: 7, ih: 'hash-7' }, 60_000);
    assert.equal(expiresAtMs, NOW + 60_000);
    assert.deepEqual(await sessions.verify(token), { ok: true, value: claims });
  });

  it('expires by the injected clock, not the machine clock', async () => {
    const clock = fixedClock(NOW);
    const sessions = createTokenSigner<Claims>(SECRET, 'identity-session', clock);
    const { token } = await sessions.sign({ pid: 7, ih: 'hash-7' }, 60_000);
    clock.set(NOW + 59_999);
    assert.equal((await sessions.verify(token)).ok, true);
    clock.set(NOW + 60_000);
    assert.deepEqual(await sessions.verify(token), { ok: false, reason: 'expired' });
    // A clock far behind the machine's still accepts a token the machine clock would call expired.
    const past = fixedClock(1_000_000_000_000);
    const old = createTokenSigner<Claims>(SECRET, 'identity-session', past);
    assert.equal((await old.verify((await old.sign({ pid: 1, ih: 'h' }, 1_000)).token)).ok, true);
  });

  it('refuses a token of another purpose, even signed from the same secret', async () => {
    const clock = fixedClock(NOW);
    const operator = createTokenSigner<Claims>(SECRET, 'operator-session', clock);
    const sessions = createTokenSigner<Claims>(SECRET, 'identity-session', clock);
    const { token } = await operator.sign({ pid: 7, ih: 'hash-7' }, 60_000);
    assert.deepEqual(await sessions.verify(token), { ok: false, reason: 'invalid' });
    const keyedRightAudienceWrong = handMadeJwt({ alg: 'HS256' }, { ...claims, aud: 'operator-session' }, 256);
    assert.deepEqual(await sessions.verify(keyedRightAudienceWrong), { ok: false, reason: 'invalid' });
  });

  it('accepts HS256 only, and refuses tampered, forged and malformed tokens', async () => {
    const sessions = createTokenSigner<Claims>(SECRET, 'identity-session', fixedClock(NOW));
    assert.equal((await sessions.verify(handMadeJwt({ alg: 'HS256' }, claims, 256))).ok, true);
    const refused = [
      handMadeJwt({ alg: 'none' }, claims),
      handMadeJwt({ alg: 'HS384' }, claims, 384),
      handMadeJwt({ alg: 'HS256' }, { ...claims, exp: undefined }, 256),
      (
        await createTokenSigner<Claims>(
          'another-secret-0123456789abcdefghijklmn',
          'identity-session',
          fixedClock(NOW),
        ).sign({ pid: 7, ih: 'hash-7' }, 60_000)
      ).token,
      'eyJhbGciOiJIUzI1NiJ9.e30.forged',
      '',
      'not-a-jwt',
    ];
    const [h, , s] = handMadeJwt({ alg: 'HS256' }, claims, 256).split('.');
    refused.push(`${h}.${b64({ ...claims, pid: 8 })}.${s}`);
    for (const token of refused)
      assert.deepEqual(await sessions.verify(token), { ok: false, reason: 'invalid' }, token);
  });

  it('refuses a token in the exact form it issues (header, key) whose claims are wrong', async () => {
    const sessions = createTokenSigner<Claims>(SECRET, 'identity-session', fixedClock(NOW));
    const issuedHeader = { alg: 'HS256', typ: 'JWT' };
    const { token } = await sessions.sign({ pid: 7, ih: 'hash-7' }, 60_000);
    assert.equal(token.split('.')[0], b64(issuedHeader), 'the header the signer writes');
    const refused = [
      handMadeJwt(issuedHeader, { ...claims, exp: undefined }, 256),
      handMadeJwt(issuedHeader, { ...claims, aud: 'operator-session' }, 256),
      handMadeJwt(issuedHeader, [claims], 256),
      `${b64(issuedHeader)}.${Buffer.from('{not json').toString('base64url')}.${createHmac(
        'sha256',
        deriveKey(SECRET, 'identity-session'),
      )
        .update(`${b64(issuedHeader)}.${Buffer.from('{not json').toString('base64url')}`)
        .digest('base64url')}`,
      `${token}x`,
      `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`,
    ];
    for (const t of refused) assert.equal((await sessions.verify(t)).ok, false, t);
    assert.equal((await sessions.verify(handMadeJwt(issuedHeader, claims, 256))).ok, true);
  });
});

describe('deriveKey', () => {
  it('keeps the waiting room keys it derived before it became the one derivation (tickets in localStorage keep verifying)', () => {
    const hex = (key: Uint8Array) => Buffer.from(key).toString('hex');
    assert.equal(
      hex(deriveKey('s'.repeat(40), 'queue-ticket')),
      'd3f94d098c2810f2e5e0e17f7f53d8cb5a1c50e7ac4cb2f46d4f83bd3e42fe3d',
    );
    assert.equal(
      hex(deriveKey('s'.repeat(40), 'admission')),
      '2efbe55aa81300e10e5131a4b3f8c1473c7be14e523bebbc1eebf57d9f86491a',
    );
  });

  it('derives a different 32-byte key for every purpose and every secret', () => {
    const purposes = ['identity-session', 'operator-session', 'cookies', 'queue-ticket', 'admission'] as const;
    const keys = purposes.map((p) => Buffer.from(deriveKey(SECRET, p)).toString('hex'));
    assert.equal(new Set(keys).size, purposes.length);
    for (const k of keys) assert.equal(k.length, 64);
    assert.notEqual(Buffer.from(deriveKey(`${SECRET}x`, 'queue-ticket')).toString('hex'), keys[3]);
  });
});
