/**
 * The one calendar: Korea's civil dates and times, and their conversion to and from epoch ms.
 *
 * A local date is a `LocalDate` ({ year, month 1..12, day }) in code and `YYYY-MM-DD` text on the
 * wire, in the database and in campaign documents (proleptic Gregorian, no time, no zone). Birth
 * dates are such dates, never instants, so Korea's 1987-88 DST does not reach them.
 *
 * Asia/Seoul has been UTC+09:00 with no daylight saving since October 1988, so for every instant a
 * vaccination campaign can touch, local time is exactly epoch ms + 9 h. We therefore use fixed-offset
 * arithmetic on UTC fields and the `getUTC*` accessors only: no local-time `Date` method, no
 * `Date.parse` of an offset-less string, nothing that reads the process time zone. Every function
 * here gives the same answer whatever `TZ` the server runs with (the tests prove it under UTC,
 * Asia/Seoul and America/Los_Angeles).
 */

export const SEOUL_UTC_OFFSET_MS = 9 * 60 * 60 * 1000;
export const DAY_MS = 24 * 60 * 60 * 1000;

/** A civil date; `month` is 1..12. Its text form is `YYYY-MM-DD` (formatLocalDate / parseLocalDate). */
export interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;
const INSTANT_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/** Regular-expression sources shared with the JSON schema in rules.ts, so syntax is defined once. */
export const LOCAL_DATE_SYNTAX = DATE_PATTERN.source;
export const LOCAL_TIME_SYNTAX = TIME_PATTERN.source;
export const INSTANT_SYNTAX = INSTANT_PATTERN.source;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  const lengths = [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return lengths[month - 1] ?? 0;
}

/** Whether the integers name a day that exists (2021-02-30 does not). */
export function isRealDate(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

/** Parses `YYYY-MM-DD`; undefined when malformed or when the day does not exist (2021-02-30). */
export function parseLocalDate(text: string): LocalDate | undefined {
  const m = DATE_PATTERN.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isRealDate(year, month, day) ? { year, month, day } : undefined;
}

/** Like parseLocalDate, but a bad date is a programming error (generator options, fixtures). */
export function requireLocalDate(text: string): LocalDate {
  const date = parseLocalDate(text);
  if (date === undefined) throw new RangeError(`not a real 'YYYY-MM-DD' date: ${JSON.stringify(text)}`);
  return date;
}

export function isCalendarDate(text: string): boolean {
  return parseLocalDate(text) !== undefined;
}

export function formatLocalDate(date: LocalDate): string {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

/** Minutes after local midnight for `HH:MM` (00:00..23:59); undefined when malformed. */
export function parseLocalTime(text: string): number | undefined {
  const m = TIME_PATTERN.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** Epoch ms of `date` at UTC midnight. setUTCFullYear keeps years 0-99 literal, unlike Date.UTC. */
function utcMidnightMs(date: LocalDate): number {
  const d = new Date(0);
  d.setUTCFullYear(date.year, date.month - 1, date.day);
  return d.getTime();
}

/**
 * Parses an ISO 8601 instant that carries an explicit offset (`Z` or `±HH:MM`), e.g.
 * `2021-07-19T20:00:00+09:00`. Strings without an offset are refused (undefined): their meaning
 * would depend on the reader's time zone, which is how 2021's "not eligible" bug happens.
 */
export function parseInstant(text: string): number | undefined {
  const m = INSTANT_PATTERN.exec(text);
  if (!m) return undefined;
  const date = parseLocalDate(`${m[1]}-${m[2]}-${m[3]}`);
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  const offsetHours = Number(m[10] ?? 0);
  const offsetMinutes = Number(m[11] ?? 0);
  if (!date || hour > 23 || minute > 59 || second > 59 || offsetHours > 14 || offsetMinutes > 59) {
    return undefined;
  }
  const millis = Number((m[7] ?? '0').padEnd(3, '0'));
  const offsetMs = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return utcMidnightMs(date) + ((hour * 60 + minute) * 60 + second) * 1000 + millis - offsetMs;
}

/** Days since 1970-01-01 (negative before) for a date or its `YYYY-MM-DD` text (which must be real). */
export function epochDayOf(date: LocalDate | string): number {
  return Math.round(utcMidnightMs(typeof date === 'string' ? requireLocalDate(date) : date) / DAY_MS);
}

export function localDateOfEpochDay(epochDay: number): LocalDate {
  const d = new Date(epochDay * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** `date` moved by `days` calendar days (negative allowed), in the form it was given. */
export function addDays(date: LocalDate, days: number): LocalDate;
export function addDays(date: string, days: number): string;
export function addDays(date: LocalDate | string, days: number): LocalDate | string {
  const moved = localDateOfEpochDay(epochDayOf(date) + days);
  return typeof date === 'string' ? formatLocalDate(moved) : moved;
}

/** Every date from `from` to `to` (`YYYY-MM-DD`), both included; empty when to < from. */
export function dateRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let n = epochDayOf(from), last = epochDayOf(to); n <= last; n++)
    out.push(formatLocalDate(localDateOfEpochDay(n)));
  return out;
}

/** The instant at which Seoul's wall clock shows `date` + `minutesAfterMidnight`. */
export function seoulLocalToEpochMs(date: LocalDate, minutesAfterMidnight: number): number {
  return utcMidnightMs(date) + minutesAfterMidnight * 60_000 - SEOUL_UTC_OFFSET_MS;
}

/** What Seoul's wall clock shows at `epochMs`. */
export interface SeoulWallClock {
  readonly date: LocalDate;
  readonly hour: number;
  readonly minute: number;
}

export function seoulWallClockAt(epochMs: number): SeoulWallClock {
  const shifted = new Date(epochMs + SEOUL_UTC_OFFSET_MS);
  return {
    date: { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() },
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
  };
}

/** `epochMs` as an ISO instant in Seoul's offset, e.g. `2021-08-09T20:00:00.000+09:00`. */
export function formatSeoulInstant(epochMs: number): string {
  return `${new Date(epochMs + SEOUL_UTC_OFFSET_MS).toISOString().slice(0, 23)}+09:00`;
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const hhmm = (clock: SeoulWallClock) =>
  `${String(clock.hour).padStart(2, '0')}:${String(clock.minute).padStart(2, '0')}`;

/** A date for citizens: `10 Aug 2021` / `2021년 8월 10일`. */
export function describeDate(date: LocalDate): { ko: string; en: string } {
  return {
    ko: `${date.year}년 ${date.month}월 ${date.day}일`,
    en: `${date.day} ${MONTHS_EN[date.month - 1]} ${date.year}`,
  };
}

/** An instant for citizens, in Korea time: `10 Aug 2021 at 20:00` / `2021년 8월 10일 20:00`. */
export function describeSeoulInstant(epochMs: number): { ko: string; en: string } {
  const clock = seoulWallClockAt(epochMs);
  const date = describeDate(clock.date);
  return { ko: `${date.ko} ${hhmm(clock)}`, en: `${date.en} at ${hhmm(clock)}` };
}
