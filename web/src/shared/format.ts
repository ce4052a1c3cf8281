/**
 * Times are always shown in Korea time, whatever the device's time zone: a booking window opens
 * at 20:00 in Seoul for a reader in Berlin too. Calendar dates (YYYY-MM-DD) are shown as dates,
 * never shifted through a time zone.
 */
import type { Lang } from './i18n.tsx';

const SEOUL = 'Asia/Seoul';
const LOCALE: Record<Lang, string> = { ko: 'ko-KR', en: 'en-GB' };

/**
 * Formatters are made once per locale and style and kept: making one resolves the locale's data
 * each time, and pages format on every render (the queue page several times a second), which a
 * phone's main thread feels (issue 14).
 */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = dateFormats.get(key);
  if (!f) dateFormats.set(key, (f = new Intl.DateTimeFormat(locale, options)));
  return f;
}

function numberFormat(locale: string, options?: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options ?? {})}`;
  let f = numberFormats.get(key);
  if (!f) numberFormats.set(key, (f = new Intl.NumberFormat(locale, options)));
  return f;
}

export function formatInstant(at: string | number, lang: Lang): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return String(at);
  return dateFormat(LOCALE[lang], {
    timeZone: SEOUL,
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(d);
}

export function formatTime(at: string | number, lang: Lang): string {
  return dateFormat(LOCALE[lang], {
    timeZone: SEOUL,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(at));
}

/** Hours and minutes in Seoul, 24-hour ("21:05"), for chart axes. */
export function formatClock(at: number, lang: Lang): string {
  return dateFormat(LOCALE[lang], {
    timeZone: SEOUL,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(at));
}

/** Date and time in Seoul, 24-hour, to the second ("2026. 11. 30. 21:05:09"), for audit entries. */
export function formatStamp(at: number, lang: Lang): string {
  return dateFormat(LOCALE[lang], {
    timeZone: SEOUL,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(at));
}

export function formatDate(isoDate: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) return isoDate;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return dateFormat(LOCALE[lang], {
    timeZone: 'UTC',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'short',
  }).format(d);
}

export function formatNumber(n: number, lang: Lang): string {
  return numberFormat(LOCALE[lang]).format(n);
}

export function formatPercent(ratio: number, lang: Lang): string {
  return numberFormat(LOCALE[lang], { style: 'percent', maximumFractionDigits: 0 }).format(ratio);
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
  return dateFormat('en-CA', {
    timeZone: SEOUL,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
}

/** A `datetime-local` value read as Korea time, as an ISO instant with +09:00. */
export function seoulLocalToIso(local: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(local);
  return m ? `${m[1]}T${m[2]}${m[3] ?? ':00'}+09:00` : null;
}
