/**
 * The admission token: a short-lived HS256 JWT (fast-jwt, see platform/signing.ts) that lets one identity, on one device, use the
 * eligibility, facility-search and booking endpoints of one campaign. Its `jti` is the admission id,
 * derived deterministically from (campaign, identity, place): re-claiming the same place — after a
 * reload, or after Redis lost the queue — yields the same admission id, and the booking table makes
 * an admission id single-use, so nobody can get a second booking out of a second claim.
 *
 * Expiry is checked against the server clock passed in, never the client's.
 */
import { createHmac } from 'node:crypto';
import { err, ok, type Result } from '../platform/result.ts';
import { createHs256Jwt, type Hs256Jwt } from '../platform/signing.ts';
import { placeKey } from './ticket.ts';

export interface Admission {
  /** The admission id (JWT jti). */
  readonly admissionId: string;
  readonly campaignId: string;
  readonly identityHash: string;
  readonly deviceId: string;
  /** Epoch ms. */
  readonly expiresAtMs: number;
}

export type AdmissionRefusal =
  'malformed' | 'bad-signature' | 'expired' | 'other-campaign' | 'other-identity' | 'other-device';

const ISSUER = 'yeyak/waiting-room';

/** base64url(HMAC-SHA256(key, campaign ‖ identity ‖ place))[0..22): 132 bits, not guessable without the key. */
export function admissionIdFor(
  key: Uint8Array,
  campaignId: string,
  identityHash: string,
  place: { readonly seq: number | null; readonly preScore: number | null },
): string {
  const input = `admission\u0000${campaignId}\u0000${identityHash}\u0000${placeKey(place)}`;
  return createHmac('sha256', key).update(input).digest('base64url').slice(0, 22);
}

/** One signer/verifier per key (the service passes the same key object on every call). */
const jwts = new WeakMap<Uint8Array, Hs256Jwt>();
function jwtFor(key: Uint8Array): Hs256Jwt {
  let jwt = jwts.get(key);
  if (!jwt) {
    jwt = createHs256Jwt(key, { issuer: ISSUER, requiredClaims: ['exp', 'jti', 'sub'] });
    jwts.set(key, jwt);
  }
  return jwt;
}

export async function signAdmissionToken(admission: Admission, key: Uint8Array, nowMs: number): Promise<string> {
  return jwtFor(key).sign({
    cmp: admission.campaignId,
    dev: admission.deviceId,
    iss: ISSUER,
    sub: admission.identityHash,
    jti: admission.admissionId,
    iat: Math.floor(nowMs / 1000),
    // JWT time is in seconds; rounding down never lets a token outlive its admission.
    exp: Math.floor(admission.expiresAtMs / 1000),
  });
}

/**
 * Verifies signature, algorithm, issuer and expiry (at `nowMs`), then that the token is for this
 * campaign, this identity and this device. Whether the admission was already used for a booking is
 * the booking table's business (admission_id is UNIQUE there).
 */
export async function verifyAdmissionToken(
  token: string,
  key: Uint8Array,
  expect: {
    readonly campaignId: string;
    readonly identityHash: string;
    readonly deviceId: string;
    readonly nowMs: number;
  },
): Promise<Result<Admission, AdmissionRefusal>> {
  const v = jwtFor(key).verify(token, expect.nowMs);
  if (!v.ok) return v;
  const { cmp, dev, sub, jti, exp } = v.value;
  if (typeof cmp !== 'string' || typeof dev !== 'string' || typeof sub !== 'string' || typeof jti !== 'string')
    return err('malformed');
  if (!sub || !jti || typeof exp !== 'number' || !exp) return err('malformed');
  if (cmp !== expect.campaignId) return err('other-campaign');
  if (sub !== expect.identityHash) return err('other-identity');
  if (dev !== expect.deviceId) return err('other-device');
  return ok({ admissionId: jti, campaignId: cmp, identityHash: sub, deviceId: dev, expiresAtMs: exp * 1000 });
}
