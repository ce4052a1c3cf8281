/**
 * Signed, short-lived tokens (HS256 JWT via jose) for identity sessions and admissions. Each use
 * gets its own key derived from SIGNING_SECRET, so a token of one kind is never valid as another.
 * Expiry is checked against the injected clock: the server's time, never the client's.
 */
import { createHmac } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import type { Clock } from './clock.ts';
import { err, ok, type Result } from './result.ts';

export function deriveKey(secret: string, purpose: string): Uint8Array {
  return new Uint8Array(createHmac('sha256', secret).update(`yeyak:${purpose}`).digest());
}

export type TokenFailure = 'expired' | 'invalid';

export interface TokenSigner<C extends JWTPayload> {
  sign(claims: C, ttlMs: number): Promise<{ token: string; expiresAtMs: number }>;
  verify(token: string): Promise<Result<C & { exp: number; iat: number }, TokenFailure>>;
}

/**
 * The HMAC key as a WebCrypto CryptoKey, imported once: given raw bytes, jose imports them again on
 * every sign and verify, which showed in the booking path's CPU profile.
 */
export function hmacCryptoKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', new Uint8Array(raw), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

export function createTokenSigner<C extends JWTPayload>(secret: string, purpose: string, clock: Clock): TokenSigner<C> {
  const key = hmacCryptoKey(deriveKey(secret, purpose));
  return {
    async sign(claims, ttlMs) {
      const nowS = Math.floor(clock.nowMs() / 1000);
      const expS = nowS + Math.ceil(ttlMs / 1000);
      const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256' })
        .setAudience(purpose).setIssuedAt(nowS).setExpirationTime(expS).sign(await key);
      return { token, expiresAtMs: expS * 1000 };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, await key, {
          algorithms: ['HS256'], audience: purpose, currentDate: new Date(clock.nowMs()),
        });
        return ok(payload as C & { exp: number; iat: number });
      } catch (e) {
        return err(e instanceof joseErrors.JWTExpired ? 'expired' : 'invalid');
      }
    },
  };
}
