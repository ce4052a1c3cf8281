import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  addDays,
  dateRange,
  daysInMonth,
  describeSeoulInstant,
  epochDayOf,
  formatLocalDate,
  formatSeoulInstant,
  isLeapYear,
  localDateOfEpochDay,
  parseInstant,
  parseLocalDate,
  parseLocalTime,
  seoulLocalToEpochMs,
  seoulWallClockAt,
} from './calendar.ts';
import { describeInEachProcessTimeZone } from './time-zones.fixtures.ts';

/** 2021-07-19T20:00 KST = 2021-07-19T11:00Z. */
const OPENING_53_54_MS = Date.UTC(2021, 6, 19, 11, 0);

describeInEachProcessTimeZone('calendar: dates', () => {
  it('knows the Gregorian leap rule', () => {
    assert.deepEqual([1900, 2000, 2004, 2021, 2100].map(isLeapYear), [false, true, true, false, false]);
    assert.equal(daysInMonth(1900, 2), 28);
    assert.equal(daysInMonth(2000, 2), 29);
    assert.equal(daysInMonth(2021, 4), 30);
  });

  it('parses only real dates, leap days included', () => {
    assert.deepEqual(parseLocalDate('2000-02-29'), { year: 2000, month: 2, day: 29 });
    assert.equal(parseLocalDate('1900-02-29'), undefined);
    assert.equal(parseLocalDate('2021-04-31'), undefined);
    assert.equal(parseLocalDate('2021-4-1'), undefined);
    assert.equal(parseLocalDate('2021-7-1'), undefined);
    assert.deepEqual([parseLocalTime('00:00'), parseLocalTime('23:59'), parseLocalTime('24:00')], [0, 1439, undefined]);
  });

  it('round-trips epoch days, including before 1970', () => {
    assert.equal(epochDayOf('1970-01-01'), 0);
    assert.equal(epochDayOf('1940-01-01'), -(30 * 365 + 8)); // 8 leap days: 1940 … 1968
    for (const d of ['1940-01-01', '1969-12-31', '2000-02-29', '2007-12-31'])
      assert.equal(formatLocalDate(localDateOfEpochDay(epochDayOf(d))), d);
  });

  it('adds days across month and leap boundaries and lists inclusive ranges', () => {
    assert.equal(addDays('2021-08-09', 21), '2021-08-30');
    assert.equal(addDays('2020-02-28', 1), '2020-02-29');
    assert.deepEqual(addDays({ year: 2021, month: 8, day: 31 }, 1), { year: 2021, month: 9, day: 1 });
    assert.deepEqual(dateRange('2021-02-27', '2021-03-02'), ['2021-02-27', '2021-02-28', '2021-03-01', '2021-03-02']);
    assert.deepEqual(dateRange('2021-03-02', '2021-03-01'), []);
  });
});

describeInEachProcessTimeZone('calendar: Seoul time', () => {
  it('reads an instant in any explicit offset as the same epoch ms', () => {
    assert.equal(parseInstant('2021-07-19T20:00:00+09:00'), OPENING_53_54_MS);
    assert.equal(parseInstant('2021-07-19T20:00+09:00'), OPENING_53_54_MS);
    assert.equal(parseInstant('2021-07-19T11:00:00.000Z'), OPENING_53_54_MS);
    assert.equal(parseInstant('2021-07-19T04:00:00-07:00'), OPENING_53_54_MS);
    assert.equal(parseInstant('2021-07-19T20:00:00.5+09:00'), OPENING_53_54_MS + 500);
  });

  it('refuses instants without an offset or on impossible days and times', () => {
    for (const text of [
      '2021-07-19T20:00:00',
      '2021-07-19 20:00+09:00',
      '2021-02-30T20:00+09:00',
      '2021-07-19T24:00+09:00',
      '2021-07-19T20:00+15:00',
    ]) {
      assert.equal(parseInstant(text), undefined, text);
    }
  });

  it('converts a Seoul wall-clock time to epoch ms and back', () => {
    const ms = seoulLocalToEpochMs({ year: 2021, month: 7, day: 19 }, 20 * 60);
    assert.equal(ms, OPENING_53_54_MS);
    assert.deepEqual(seoulWallClockAt(ms), { date: { year: 2021, month: 7, day: 19 }, hour: 20, minute: 0 });
    assert.deepEqual(seoulWallClockAt(Date.UTC(2021, 6, 19, 15, 0)), {
      date: { year: 2021, month: 7, day: 20 },
      hour: 0,
      minute: 0,
    });
  });

  it('writes instants for people and for documents in Korea time', () => {
    assert.equal(formatSeoulInstant(OPENING_53_54_MS + 250), '2021-07-19T20:00:00.250+09:00');
    assert.deepEqual(describeSeoulInstant(Date.UTC(2021, 7, 10, 11, 0)), {
      ko: '2021년 8월 10일 20:00',
      en: '10 Aug 2021 at 20:00',
    });
  });
});
