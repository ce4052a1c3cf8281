/**
 * Proleptic Gregorian calendar dates as 'YYYY-MM-DD' strings (no time, no zone). Day numbers count
 * days since 1970-01-01 and come from `Date.UTC`, which is pure arithmetic (no clock, no zone).
 */

/** 'YYYY-MM-DD', zero-padded, a real calendar day. */
export type IsoDate = string;

export interface YearMonthDay {
  year: number;
  month: number;
  day: number;
}

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function isRealDate(year: number, month: number, day: number): boolean {
  return Number.isInteger(year) && Number.isInteger(month) && Number.isInteger(day)
    && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function formatIsoDate({ year, month, day }: YearMonthDay): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Parses 'YYYY-MM-DD'; null unless it names a real day. */
export function parseIsoDate(text: string): YearMonthDay | null {
  const m = ISO_DATE.exec(text);
  if (m === null) return null;
  const ymd = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  return isRealDate(ymd.year, ymd.month, ymd.day) ? ymd : null;
}

/** Like parseIsoDate, but a bad date is a programming error (generator options, fixtures). */
export function requireIsoDate(text: string): YearMonthDay {
  const ymd = parseIsoDate(text);
  if (ymd === null) throw new RangeError(`not a real 'YYYY-MM-DD' date: ${JSON.stringify(text)}`);
  return ymd;
}

/** Days since 1970-01-01 (negative before). */
export function toDayNumber(date: IsoDate | YearMonthDay): number {
  const { year, month, day } = typeof date === 'string' ? requireIsoDate(date) : date;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day); // setUTCFullYear keeps years 0-99 literal, unlike Date.UTC
  return Math.round(d.getTime() / MS_PER_DAY);
}

export function fromDayNumber(dayNumber: number): IsoDate {
  const d = new Date(dayNumber * MS_PER_DAY);
  return formatIsoDate({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Every date from `from` to `to`, both included; empty when to < from. */
export function dateRange(from: IsoDate, to: IsoDate): IsoDate[] {
  const first = toDayNumber(from);
  const last = toDayNumber(to);
  const out: IsoDate[] = [];
  for (let n = first; n <= last; n++) out.push(fromDayNumber(n));
  return out;
}

/**
 * Last digit of the day of the month: the 10-day rotation (10부제) group of 2021.
 * Born on the 9th, 19th or 29th → 9; on the 10th, 20th or 30th → 0.
 */
export function birthDayDigit(date: IsoDate): number {
  return requireIsoDate(date).day % 10;
}
