/**
 * Times are always shown in Korea time, whatever the device's time zone: a booking window opens
 * at 20:00 in Seoul for a reader in Berlin too. Calendar dates (YYYY-MM-DD) are shown as dates,
 * never shifted through a time zone.
 */
import type { Lang } from './lang.ts';

/**
 * Dates, times and whole numbers are put together here from their fields instead of through
 * Intl.DateTimeFormat / Intl.NumberFormat: the first Intl formatter a page makes starts ICU, a
 * 15-50 ms stall on a desktop (60-200 ms under Lighthouse's 4x phone CPU), which was the largest
 * single piece of script in the landing page's first render (issue 14). The patterns are CLDR's for
 * ko-KR and en-GB with the options the pages used; test/web/format.test.ts holds them to Intl's
 * output. Fractions and negative zero, which the pages do not show, still go through Intl.
 *
 * Korea has kept UTC+9 without daylight saving since 1988, so a Seoul wall clock is the UTC clock
 * of the instant plus nine hours; the instants shown (booking windows, queue times) are all later.
 */
const SEOUL_OFFSET_MS = 9 * 3_600_000;
const LOCALE: Record<Lang, string> = { ko: 'ko-KR', en: 'en-GB' };

const WEEKDAY: Record<Lang, readonly string[]> = {
  ko: ['일', '월', '화', '수', '목', '금', '토'],
  en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
};
const MONTH_EN = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

const pad2 = (n: number) => String(n).padStart(2, '0');

/** The wall-clock fields of a Date read through its UTC getters (already shifted to the zone wanted). */
function fieldsOf(d: Date) {
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
    hm: `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`,
    hms: `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`,
  };
}

/** The Seoul wall clock of an instant, or null when it is not a valid time. */
function seoulClock(at: string | number): ReturnType<typeof fieldsOf> | null {
  const t = new Date(at).getTime();
  return Number.isNaN(t) ? null : fieldsOf(new Date(t + SEOUL_OFFSET_MS));
}

/** "2021년 7월 19일 월" / "Mon, 19 July 2021" (CLDR: year numeric, month long, day numeric, weekday short). */
function longDate(f: ReturnType<typeof fieldsOf>, lang: Lang): string {
  return lang === 'ko'
    ? `${f.year}년 ${f.month}월 ${f.day}일 ${WEEKDAY.ko[f.weekday]!}`
    : `${WEEKDAY.en[f.weekday]!}, ${f.day} ${MONTH_EN[f.month - 1]!} ${f.year}`;
}

/** "2021년 7월 19일 월 20:00" / "Mon, 19 July 2021 at 20:00", in Seoul. */
export function formatInstant(at: string | number, lang: Lang): string {
  const f = seoulClock(at);
  if (!f) return String(at);
  return lang === 'ko' ? `${longDate(f, lang)} ${f.hm}` : `${longDate(f, lang)} at ${f.hm}`;
}

/** "20:05:09" in Seoul, 24-hour. */
export function formatTime(at: string | number, _lang: Lang): string {
  return seoulClock(at)?.hms ?? String(at);
}

/** Hours and minutes in Seoul, 24-hour ("21:05"), for chart axes. */
export function formatClock(at: number, _lang: Lang): string {
  return seoulClock(at)?.hm ?? String(at);
}

/** Date and time in Seoul, 24-hour, to the second ("2026. 11. 30. 21:05:09"), for audit entries. */
export function formatStamp(at: number, lang: Lang): string {
  const f = seoulClock(at);
  if (!f) return String(at);
  return lang === 'ko'
    ? `${f.year}. ${pad2(f.month)}. ${pad2(f.day)}. ${f.hms}`
    : `${pad2(f.day)}/${pad2(f.month)}/${f.year}, ${f.hms}`;
}

export function formatDate(isoDate: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) return isoDate;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return Number.isNaN(d.getTime()) ? isoDate : longDate(fieldsOf(d), lang);
}

/** Digits in groups of three ("1,234,567"), as both locales write whole numbers. */
function groupDigits(n: number): string {
  const digits = String(Math.abs(n));
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}

/** Intl for what the pages never show (fractions, -0, huge values); made on first need and kept. */
const numberFormats = new Map<string, Intl.NumberFormat>();
function intlNumber(n: number, lang: Lang, options?: Intl.NumberFormatOptions): string {
  const key = `${lang}|${JSON.stringify(options ?? {})}`;
  let f = numberFormats.get(key);
  if (!f) numberFormats.set(key, (f = new Intl.NumberFormat(LOCALE[lang], options)));
  return f.format(n);
}

export function formatNumber(n: number, lang: Lang): string {
  return Number.isSafeInteger(n) && !Object.is(n, -0) ? groupDigits(n) : intlNumber(n, lang);
}

/** A ratio as a whole percentage ("29%"), rounded half away from zero on its decimal value as Intl does. */
export function formatPercent(ratio: number, lang: Lang): string {
  // toPrecision(15) undoes binary noise (0.285 * 100 = 28.499999999999996) before rounding.
  const percent = Math.round(Number((ratio * 100).toPrecision(15)));
  return ratio >= 0 && Number.isSafeInteger(percent)
    ? `${groupDigits(percent)}%`
    : intlNumber(ratio, lang, { style: 'percent', maximumFractionDigits: 0 });
}

/** A rounded wait: "약 12분", "about 1 h 5 min"; under a minute says so. */
export function formatDuration(seconds: number, lang: Lang): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 1) return lang === 'ko' ? '1분 미만' : 'under a minute';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (lang === 'ko') return h > 0 ? `${h}시간${m > 0 ? ` ${m}분` : ''}` : `${m}분`;
  return h > 0 ? `${h} h${m > 0 ? ` ${m} min` : ''}` : `${m} min`;
}

/** Minutes only, for the band "9–15분". */
export function formatMinutes(seconds: number): number {
  return Math.max(0, Math.round(seconds / 60));
}

/** Adds whole days to a calendar date. */
export function addDays(isoDate: string, days: number): string {
  const t = Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Today's calendar date in Seoul (display only; the server decides what is bookable). */
export function seoulToday(): string {
  return new Date(Date.now() + SEOUL_OFFSET_MS).toISOString().slice(0, 10);
}

/** A `datetime-local` value read as Korea time, as an ISO instant with +09:00. */
export function seoulLocalToIso(local: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(local);
  return m ? `${m[1]}T${m[2]}${m[3] ?? ':00'}+09:00` : null;
}
