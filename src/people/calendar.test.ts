import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays, birthDayDigit, dateRange, daysInMonth, fromDayNumber, isLeapYear, parseIsoDate, toDayNumber } from './calendar.ts';

describe('calendar', () => {
  it('knows the Gregorian leap rule', () => {
    assert.deepEqual([1900, 2000, 2004, 2021, 2100].map(isLeapYear), [false, true, true, false, false]);
    assert.equal(daysInMonth(1900, 2), 28);
    assert.equal(daysInMonth(2000, 2), 29);
    assert.equal(daysInMonth(2021, 4), 30);
  });

  it('parses only real dates', () => {
    assert.deepEqual(parseIsoDate('2000-02-29'), { year: 2000, month: 2, day: 29 });
    assert.equal(parseIsoDate('1900-02-29'), null);
    assert.equal(parseIsoDate('2021-04-31'), null);
    assert.equal(parseIsoDate('2021-4-1'), null);
  });

  it('round-trips day numbers, including before 1970', () => {
    assert.equal(toDayNumber('1970-01-01'), 0);
    assert.equal(toDayNumber('1940-01-01'), -(30 * 365 + 8)); // 8 leap days: 1940 … 1968
    for (const d of ['1940-01-01', '1969-12-31', '2000-02-29', '2007-12-31']) assert.equal(fromDayNumber(toDayNumber(d)), d);
  });

  it('adds days across month and leap boundaries and lists inclusive ranges', () => {
    assert.equal(addDays('2021-08-09', 21), '2021-08-30');
    assert.equal(addDays('2020-02-28', 1), '2020-02-29');
    assert.deepEqual(dateRange('2021-02-27', '2021-03-02'), ['2021-02-27', '2021-02-28', '2021-03-01', '2021-03-02']);
    assert.deepEqual(dateRange('2021-03-02', '2021-03-01'), []);
  });

  it('gives the 10-day rotation digit of a birth date', () => {
    assert.deepEqual(['1980-01-09', '1980-01-19', '1980-01-29', '1980-01-30', '1980-01-31'].map(birthDayDigit), [9, 9, 9, 0, 1]);
  });
});
