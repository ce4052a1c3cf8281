/**
 * The pages' date, time and number formatting (web/src/shared/format.ts) is put together from fields
 * so that a page never starts ICU on its first render (issue 14: the first Intl formatter cost
 * 60-200 ms of a phone's main thread). These tests hold each function to what Intl (ko-KR and en-GB,
 * Korea time) writes with the options the pages used before, and check that no Intl formatter is made.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import fc from 'fast-check';
import {
  formatClock,
  formatDate,
  formatInstant,
  formatNumber,
  formatPercent,
  formatStamp,
  formatTime,
  seoulToday,
} from '../../web/src/shared/format.ts';

const LANGS = ['ko', 'en'] as const;
const LOCALE = { ko: 'ko-KR', en: 'en-GB' } as const;
const SEOUL = 'Asia/Seoul';

/** What Intl wrote with the options each function used to pass it. */
const intl = {
  instant: (t: number, lang: 'ko' | 'en') =>
    new Intl.DateTimeFormat(LOCALE[lang], {
      timeZone: SEOUL,
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(t),
  time: (t: number, lang: 'ko' | 'en') =>
    new Intl.DateTimeFormat(LOCALE[lang], {
      timeZone: SEOUL,
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }).format(t),
  clock: (t: number, lang: 'ko' | 'en') =>
    new Intl.DateTimeFormat(LOCALE[lang], {
      timeZone: SEOUL,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(t),
  stamp: (t: number, lang: 'ko' | 'en') =>
    new Intl.DateTimeFormat(LOCALE[lang], {
      timeZone: SEOUL,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }).format(t),
  date: (t: number, lang: 'ko' | 'en') =>
    new Intl.DateTimeFormat(LOCALE[lang], {
      timeZone: 'UTC',
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      weekday: 'short',
    }).format(t),
};

/** Instants from 1990 (after Korea's last daylight saving) to 2099, to the millisecond. */
const instants = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2099, 11, 31, 23, 59, 59, 999) });

describe('format (Korea time, ko-KR and en-GB)', () => {
  it('writes instants, times and stamps as Intl does in Seoul', () => {
    fc.assert(
      fc.property(instants, fc.constantFrom(...LANGS), (t, lang) => {
        assert.equal(formatInstant(t, lang), intl.instant(t, lang));
        assert.equal(formatInstant(new Date(t).toISOString(), lang), intl.instant(t, lang));
        assert.equal(formatTime(t, lang), intl.time(t, lang));
        assert.equal(formatClock(t, lang), intl.clock(t, lang));
        assert.equal(formatStamp(t, lang), intl.stamp(t, lang));
      }),
      { numRuns: 2000 },
    );
  });

  it('crosses the date line at 15:00 UTC (midnight in Seoul)', () => {
    for (const iso of ['2021-07-19T14:59:59Z', '2021-07-19T15:00:00Z', '2026-12-31T15:00:00Z', '2024-02-28T15:00:00Z'])
      for (const lang of LANGS) assert.equal(formatInstant(iso, lang), intl.instant(Date.parse(iso), lang));
    assert.equal(formatInstant('2021-07-19T11:00:00Z', 'ko'), '2021년 7월 19일 월 20:00');
    assert.equal(formatInstant('2021-07-19T11:00:00Z', 'en'), 'Mon, 19 July 2021 at 20:00');
  });

  it('writes calendar dates (birth dates too) without a time zone shift', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2099, 11, 31) }),
        fc.constantFrom(...LANGS),
        (t, lang) => {
          const iso = new Date(t).toISOString().slice(0, 10);
          assert.equal(formatDate(iso, lang), intl.date(Date.parse(`${iso}T00:00:00Z`), lang));
        },
      ),
      { numRuns: 2000 },
    );
    assert.equal(formatDate('not a date', 'ko'), 'not a date');
  });

  it('writes whole numbers and percentages as Intl does', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.constantFrom(...LANGS), (n, lang) => {
        assert.equal(formatNumber(n, lang), new Intl.NumberFormat(LOCALE[lang]).format(n));
      }),
      { numRuns: 2000 },
    );
    const percent = (r: number, lang: 'ko' | 'en') =>
      new Intl.NumberFormat(LOCALE[lang], { style: 'percent', maximumFractionDigits: 0 }).format(r);
    for (const lang of LANGS) {
      for (let k = 0; k <= 2000; k++) assert.equal(formatPercent(k / 1000, lang), percent(k / 1000, lang), `${k}/1000`);
      for (const r of [0.285, 0.005, 0.995, 1.5, 123.456, -0.25, -0.001])
        assert.equal(formatPercent(r, lang), percent(r, lang), String(r));
      for (const n of [-0, 0.5, 1234.5678, -1234.5])
        assert.equal(formatNumber(n, lang), new Intl.NumberFormat(LOCALE[lang]).format(n), String(n));
    }
  });

  it("gives today's date in Seoul", () => {
    const expected = new Intl.DateTimeFormat('en-CA', {
      timeZone: SEOUL,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(new Date());
    assert.equal(seoulToday(), expected);
  });

  describe('without starting ICU', () => {
    const real = { DateTimeFormat: Intl.DateTimeFormat, NumberFormat: Intl.NumberFormat };
    afterEach(() => Object.assign(Intl, real));

    it('makes no Intl formatter for anything a page shows', async () => {
      // A fresh copy of the module: nothing made (or kept) by the tests above is reused.
      const freshCopy = new URL('../../web/src/shared/format.ts?no-icu', import.meta.url).href;
      const fresh = (await import(freshCopy)) as typeof import('../../web/src/shared/format.ts');
      const refuse = (name: string) =>
        function () {
          throw new Error(`Intl.${name} made`);
        };
      Object.assign(Intl, { DateTimeFormat: refuse('DateTimeFormat'), NumberFormat: refuse('NumberFormat') });
      const t = Date.parse('2026-11-30T11:00:00Z');
      for (const lang of LANGS) {
        fresh.formatInstant(t, lang);
        fresh.formatTime(t, lang);
        fresh.formatClock(t, lang);
        fresh.formatStamp(t, lang);
        fresh.formatDate('1968-05-05', lang);
        fresh.formatNumber(1_234_567, lang);
        fresh.formatPercent(0.42, lang);
      }
      fresh.seoulToday();
    });
  });
});
