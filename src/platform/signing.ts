/**
 * Signed, short-lived tokens (HS256 JWT via fast-jwt) for identity sessions and admissions. Each use
 * gets its own key derived from SIGNING_SECRET, so a token of one kind is never valid as another.
 * Expiry is checked against the injected clock: the server's time, never the client's.
 *
 * fast-jwt signs and verifies synchronously through node:crypto's HMAC; jose (WebCrypto) sent each
 * HS256 operation to libuv's threadpool as an async job, which showed in the booking path's profile.
 */
import { createHmac, createSecretKey, hkdfSync, timingSafeEqual } from 'node:crypto';
import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import type { Clock } from './clock.ts';
import { err, ok, type Result } from './result.ts';

/** What a derived key signs; each purpose has its own key, so a token of one kind is never valid as another. */
export type KeyPurpose =
  'identity-session' | 'operator-session' | 'operator-csrf' | 'cookies' | 'queue-ticket' | 'admission';

/**
 * The one key derivation: a 32-byte key for `purpose` from SIGNING_SECRET, HKDF-SHA256 (RFC 5869).
 * Salt and info are part of every key: queue tickets live in citizens' localStorage for up to a day
 * and admission ids are stored with bookings, so changing either string would make every waiting
 * person's ticket fail to verify (their place lost). The salt names the waiting room because it
 * was the waiting room's derivation first; it is only a constant.
 */
export function deriveKey(secret: string, purpose: KeyPurpose): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, 'yeyak-waiting-room', `yeyak/${purpose}/v1`, 32));
}

/** A JWT claims set as it travels (JSON object). */
export type JwtClaims = Record<string, unknown>;

export type TokenFailure = 'expired' | 'invalid';

export interface TokenSigner<C extends JwtClaims> {
  sign(claims: C, ttlMs: number): Promise<{ token: string; expiresAtMs: number }>;
  verify(token: string): Promise<Result<C & { exp: number; iat: number }, TokenFailure>>;
  /** `verify` without a promise: the check is one HMAC, and a per-request hook need not wait a microtask turn for it. */
  verifyNow(token: string): Result<C & { exp: number; iat: number }, TokenFailure>;
}

/** 'malformed' covers every refusal that is neither an expiry nor a wrong signature (alg, issuer, audience, claims). */
export type JwtFailure = 'expired' | 'bad-signature' | 'malformed';

/** One HS256 key's signer and verifier, both synchronous; made once per key. */
export interface Hs256Jwt {
  /** Signs the claims exactly as given: the caller sets `iat` and `exp` (seconds) from its clock. */
  sign(claims: JwtClaims): string;
  /**
   * Checks, in order: shape, algorithm (HS256 only; `none` and every other alg refused), signature,
   * required claims, issuer/audience when expected, then `nbf`/`exp` at `nowMs`.
   */
  verify(token: string, nowMs: number): Result<JwtClaims, JwtFailure>;
}

export function createHs256Jwt(
  key: Uint8Array,
  expect: { readonly audience?: string; readonly issuer?: string; readonly requiredClaims: readonly string[] },
): Hs256Jwt {
  const secret = Buffer.from(key);
  const signJwt = createSigner<JwtClaims>({ key: secret, algorithm: 'HS256' });
  // fast-jwt reads the time once, when the verifier is made (`clockTimestamp`), or Date.now() per call:
  // neither is the injected clock, so it skips exp/nbf and checkTimes does them at `nowMs`. Its cache
  // stays off: a cached answer would be judged by Date.now().
  const verifyJwt = createVerifier({
    key: secret,
    algorithms: ['HS256'],
    ignoreExpiration: true,
    ignoreNotBefore: true,
    cache: false,
    requiredClaims: [...expect.requiredClaims, ...(expect.audience ? ['aud'] : []), ...(expect.issuer ? ['iss'] : [])],
    ...(expect.audience ? { allowedAud: expect.audience } : {}),
    ...(expect.issuer ? { allowedIss: expect.issuer } : {}),
  });
  const issued = issuedTokenCheck(key, signJwt({}).split('.')[0]!, expect);
  return {
    sign: (claims) => signJwt(claims),
    verify(token, nowMs) {
      let payload: JwtClaims | null = issued(token);
      if (payload) {
        const late = checkTimes(payload, nowMs);
        return late ? err(late) : ok(payload);
      }
      try {
        payload = verifyJwt(token) as JwtClaims;
      } catch (e) {
        if (!(e instanceof TokenError)) throw e;
        return e.code === TokenError.codes.invalidSignature ? err('bad-signature') : err('malformed', { code: e.code });
      }
      const late = checkTimes(payload, nowMs);
      return late ? err(late) : ok(payload);
    },
  };
}

/**
 * The claims of a token exactly as this signer issues them — its own header segment, a valid
 * HMAC-SHA256 over header and payload, the required claims present and the expected audience and
 * issuer as plain strings — or null, and fast-jwt's verifier decides (with its reasons). The MAC
 * is checked over the raw segments before the payload is parsed, so a payload parsed here is one
 * this key signed. fast-jwt decodes the header from JSON and checks every claim generically: this
 * costs one HMAC and one JSON.parse, about 2 µs less per verified session.
 */
function issuedTokenCheck(
  key: Uint8Array,
  headerSegment: string,
  expect: { readonly audience?: string; readonly issuer?: string; readonly requiredClaims: readonly string[] },
): (token: string) => JwtClaims | null {
  const secret = createSecretKey(key);
  const prefix = `${headerSegment}.`;
  return (token) => {
    if (typeof token !== 'string' || !token.startsWith(prefix)) return null;
    const dot = token.lastIndexOf('.');
    if (dot <= prefix.length) return null;
    const given = Buffer.from(token.slice(dot + 1), 'latin1');
    const wanted = Buffer.from(createHmac('sha256', secret).update(token.slice(0, dot)).digest('base64url'), 'latin1');
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return null;
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(token.slice(prefix.length, dot), 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null;
    const claims = payload as JwtClaims;
    for (const c of expect.requiredClaims) if (!(c in claims)) return null;
    if (expect.audience !== undefined && claims.aud !== expect.audience) return null;
    if (expect.issuer !== undefined && claims.iss !== expect.issuer) return null;
    return claims;
  };
}

/**
 * RFC 7519 NumericDate checks in seconds, with the boundaries jose used: `iat`, `nbf`, `exp` are
 * numbers when present; a token is not valid while now < nbf, and expired once now ≥ exp.
 */
function checkTimes(payload: JwtClaims, nowMs: number): JwtFailure | undefined {
  for (const claim of ['iat', 'nbf', 'exp']) {
    if (claim in payload && typeof payload[claim] !== 'number') return 'malformed';
  }
  const nowS = Math.floor(nowMs / 1000);
  if (typeof payload.nbf === 'number' && payload.nbf > nowS) return 'malformed';
  if (typeof payload.exp === 'number' && payload.exp <= nowS) return 'expired';
  return undefined;
}

export function createTokenSigner<C extends JwtClaims>(
  secret: string,
  purpose: KeyPurpose,
  clock: Clock,
): TokenSigner<C> {
  const jwt = createHs256Jwt(deriveKey(secret, purpose), { audience: purpose, requiredClaims: ['exp', 'iat'] });
  return {
    async sign(claims, ttlMs) {
      const nowS = Math.floor(clock.nowMs() / 1000);
      const expS = nowS + Math.ceil(ttlMs / 1000);
      return { token: jwt.sign({ ...claims, aud: purpose, iat: nowS, exp: expS }), expiresAtMs: expS * 1000 };
    },
    async verify(token) {
      return this.verifyNow(token);
    },
    verifyNow(token) {
      const v = jwt.verify(token, clock.nowMs());
      if (!v.ok) return err(v.reason === 'expired' ? 'expired' : 'invalid');
      return ok(v.value as C & { exp: number; iat: number });
    },
  };
}
