/**
 * The short queue reference a person can read out to a call-centre agent (issue 14): their place
 * (partition, seq) as a number n = (seq − 1) × partitions + partition, written in Crockford's
 * base32 (no I, L, O or U; digits and letters that are not confused when spoken), at least four
 * symbols, then a check symbol (n mod 37, Crockford's check alphabet), e.g. `3KF7-Q`. It is unique
 * per place within a campaign (one place, one number) and holds nothing personal: it says where a
 * place stands in the queue, which anyone holding it could already see. A mis-heard symbol fails
 * the check instead of naming someone else's place.
 */
const SYMBOLS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CHECK = `${SYMBOLS}*~$=U`;
const MIN_SYMBOLS = 4;

export interface ReferencedPlace {
  readonly partition: number;
  readonly seq: number;
}

export function referenceOf(place: ReferencedPlace, partitions: number): string {
  if (!Number.isInteger(place.seq) || place.seq < 1) throw new Error(`bad seq ${place.seq}`);
  if (!Number.isInteger(place.partition) || place.partition < 0 || place.partition >= partitions)
    throw new Error(`bad partition ${place.partition}`);
  let n = (place.seq - 1) * partitions + place.partition;
  const check = CHECK[n % 37]!;
  let body = '';
  do {
    body = SYMBOLS[n % 32]! + body;
    n = Math.floor(n / 32);
  } while (n > 0);
  return `${body.padStart(MIN_SYMBOLS, '0')}-${check}`;
}

/** The place a reference names, or null when it is malformed or its check symbol does not match. */
export function placeOfReference(reference: string, partitions: number): ReferencedPlace | null {
  const text = reference.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  if (text.length < MIN_SYMBOLS + 1 || text.length > 12) return null;
  const body = text.slice(0, -1);
  const check = text.slice(-1);
  let n = 0;
  for (const c of body) {
    const v = SYMBOLS.indexOf(c);
    if (v < 0) return null;
    n = n * 32 + v;
  }
  if (!Number.isSafeInteger(n) || CHECK[n % 37] !== check) return null;
  return { partition: n % partitions, seq: Math.floor(n / partitions) + 1 };
}
