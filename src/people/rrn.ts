/**
 * Korean resident registration numbers (주민등록번호), YYMMDD-GNNNNNC.
 *
 * PRIVACY CONTRACT. An RRN identifies a person for life. It must NEVER be stored, logged, traced,
 * put in a metric label, a URL, a queue payload or an error message in clear. The registry keeps
 * only an HMAC of `normalized` (13 digits, no hyphen), computed at the edge with a server-held key
 * (not here). This module therefore returns bare reasons with no `detail`, and its thrown errors
 * never quote their input. Synthetic RRNs from `makeRrn` are checksum-valid and may coincide with
 * real people's numbers: treat generated data with the same care and never send it to a real
 * identity-verification provider.
 *
 * Layout: YYMMDD birth date; G = century, sex and nationality; NNNNN = serial (before 5 Oct 2020:
 * 4-digit registration-office code + order of registration that day); C = check digit.
 *   G 1/2: 1900s male/female; 3/4: 2000s; 5/6: foreign resident 1900s; 7/8: foreign resident 2000s.
 *   G 9/0 meant the 1800s; no one born then is alive, so they are rejected as malformed.
 * Check digit: C = (11 − Σ wᵢ·dᵢ mod 11) mod 10 with weights 2,3,4,5,6,7,8,9,2,3,4,5. It is weak:
 * sums ≡ 0 and ≡ 10 (mod 11) share C = 1, so a few single-digit typos pass.
 *
 * Since 5 Oct 2020, newly issued or changed numbers carry six random digits after G and NO valid
 * check digit (http://www.dyjachinews.co.kr/news/articleView.html?idxno=3654). Such numbers exist
 * among 18-49 year olds (numbers changed after a leak or for protection), so production input
 * validation should parse with `{ checksum: 'skip' }`; 'enforce' (the default) suits synthetic data
 * and legacy checks. Foreign registration numbers are assumed to use the same check digit
 * (UNCONFIRMED: some sources describe a variant for them).
 */
import { err, ok, type Result } from '../platform/result.ts';
import { formatLocalDate, isRealDate, requireLocalDate } from '../platform/calendar.ts';

export type Sex = 'M' | 'F';

export type RrnRejection = 'malformed' | 'bad-date' | 'bad-checksum';

export interface ParsedRrn {
  birthDate: string;
  sex: Sex;
  /** G in 5-8: a foreign resident's registration number (외국인등록번호). */
  isForeignResident: boolean;
  /** 13 ASCII digits, no hyphen: the only form that is ever HMAC'd. */
  normalized: string;
}

export interface ParseRrnOptions {
  /** 'skip' accepts post-October-2020 numbers whose last digit is random. Default 'enforce'. */
  checksum?: 'enforce' | 'skip';
}

/** Serials are 5 digits: 0 … 99,999. */
export const RRN_SERIAL_COUNT = 100_000;

const RRN_SHAPE = /^(\d{6})-?(\d{7})$/;
const WEIGHTS = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5] as const;

/** Check digit of the first 12 digits (ASCII). */
export function rrnCheckDigit(first12: string): number {
  if (!/^\d{12}$/.test(first12)) throw new RangeError('rrnCheckDigit needs exactly 12 digits');
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (WEIGHTS[i] ?? 0) * (first12.charCodeAt(i) - 48);
  return (11 - (sum % 11)) % 10;
}

interface CenturyCode {
  century: number;
  sex: Sex;
  isForeignResident: boolean;
}

function decodeG(g: number): CenturyCode | null {
  if (g < 1 || g > 8) return null;
  return {
    century: g === 1 || g === 2 || g === 5 || g === 6 ? 1900 : 2000,
    sex: g % 2 === 1 ? 'M' : 'F',
    isForeignResident: g >= 5,
  };
}

function encodeG(year: number, sex: Sex, isForeignResident: boolean): number {
  const base = year < 2000 ? (isForeignResident ? 5 : 1) : isForeignResident ? 7 : 3;
  return sex === 'M' ? base : base + 1;
}

/**
 * Parses an RRN typed with or without its hyphen. Reasons, in the order checked: 'malformed'
 * (shape, or G not 1-8), 'bad-date' (not a real calendar day in G's century, e.g. 29 Feb 1900),
 * 'bad-checksum'. Surrounding whitespace is malformed: trimming is the input layer's decision.
 */
export function parseRrn(input: string, options: ParseRrnOptions = {}): Result<ParsedRrn, RrnRejection> {
  const m = RRN_SHAPE.exec(input);
  if (m === null) return err('malformed');
  const normalized = `${m[1]}${m[2]}`;
  const code = decodeG(normalized.charCodeAt(6) - 48);
  if (code === null) return err('malformed');
  const year = code.century + Number(normalized.slice(0, 2));
  const month = Number(normalized.slice(2, 4));
  const day = Number(normalized.slice(4, 6));
  if (!isRealDate(year, month, day)) return err('bad-date');
  const mustCheck = (options.checksum ?? 'enforce') === 'enforce';
  if (mustCheck && rrnCheckDigit(normalized.slice(0, 12)) !== normalized.charCodeAt(12) - 48) {
    return err('bad-checksum');
  }
  return ok({
    birthDate: formatLocalDate({ year, month, day }),
    sex: code.sex,
    isForeignResident: code.isForeignResident,
    normalized,
  });
}

export interface MakeRrnOptions {
  isForeignResident?: boolean;
}

/**
 * Builds a checksum-valid RRN 'YYMMDD-GNNNNNC' for a birth date in 1900-2099 and a serial in
 * [0, RRN_SERIAL_COUNT). Bad arguments are programming errors and throw (without echoing them).
 */
export function makeRrn(birthDate: string, sex: Sex, serial: number, options: MakeRrnOptions = {}): string {
  const { year, month, day } = requireLocalDate(birthDate);
  if (year < 1900 || year > 2099) throw new RangeError('makeRrn: birth year must be in 1900-2099');
  if (!Number.isInteger(serial) || serial < 0 || serial >= RRN_SERIAL_COUNT) {
    throw new RangeError('makeRrn: serial must be an integer in [0, 100000)');
  }
  const yymmdd = `${String(year % 100).padStart(2, '0')}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
  const first12 = `${yymmdd}${encodeG(year, sex, options.isForeignResident ?? false)}${String(serial).padStart(5, '0')}`;
  return `${yymmdd}-${first12.slice(6)}${rrnCheckDigit(first12)}`;
}
