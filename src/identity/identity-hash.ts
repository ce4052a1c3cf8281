import { createHmac } from 'node:crypto';

/**
 * The only form in which a resident registration number is kept: base64url(HMAC-SHA256(key,
 * normalized RRN)). A keyed hash, not a plain one: the RRN space (birth date + 7 digits) is small
 * enough to enumerate, so without the key a stolen table would give every number back.
 */
export function identityHashOf(hmacKey: string, normalizedRrn: string): string {
  return createHmac('sha256', hmacKey).update(normalizedRrn, 'utf8').digest('base64url');
}
