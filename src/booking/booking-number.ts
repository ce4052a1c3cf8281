import { randomInt } from 'node:crypto';

/**
 * A new booking number: 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L), read
 * out over the phone and typed from a text message, as `XXXX-XXXX-XXXX`. Uniqueness is the
 * database's (a unique index); 31^12 makes a collision practically never happen.
 */
export function newBookingNumber(): string {
  const alphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
  let s = '';
  for (let i = 0; i < 12; i++) s += alphabet[randomInt(alphabet.length)];
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
}
