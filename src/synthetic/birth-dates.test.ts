import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  birthDateDistribution,
  calendarDaysByDigit,
  dayDigitFactors,
  expectedBirthYearShares,
  expectedDayDigitShares,
  KDCA_2021_ROTATION_GROUP_SIZES as GROUPS,
} from './birth-dates.ts';
import { birthsInYear, residentsByBirthYear, survivalTo2021 } from './birth-years.ts';

const COHORT_18_49 = { bornFrom: '1972-01-01', bornTo: '2003-12-31' } as const;
const sizeOf = (digit: number): number => GROUPS[digit] ?? Number.NaN;

describe('residentsByBirthYear', () => {
  it('uses the sourced births table with 0.9 survival for the 1960s', () => {
    assert.equal(birthsInYear(1968), 1_043_321);
    assert.equal(residentsByBirthYear(1968), 1_043_321 * 0.9);
    assert.equal(residentsByBirthYear(1995), 715_020 * survivalTo2021(1995));
  });

  it('interpolates 1996-2003 linearly through the anchors 1995, 2001 and 2003', () => {
    assert.equal(birthsInYear(1998), 637_510); // 715,020 − 3 × 25,836.67
    assert.equal(birthsInYear(2001), 560_000);
    assert.equal(birthsInYear(2002), 526_750);
    assert.equal(birthsInYear(2003), 493_500);
  });

  it('ramps survival from 0.90 (1971) to 1.00 (2001)', () => {
    const expected = [0.9, 0.9, 0.95, 1, 1];
    [1965, 1971, 1986, 2001, 2007].forEach((y, i) =>
      assert.ok(Math.abs(survivalTo2021(y) - (expected[i] ?? 0)) < 1e-12, `${y}`),
    );
  });

  it('models 1940-1961 residents through the fitted anchors', () => {
    assert.equal(residentsByBirthYear(1961), 943_624);
    assert.equal(residentsByBirthYear(1950), 415_000);
    let sixties = 0;
    for (let y = 1952; y <= 1961; y++) sixties += residentsByBirthYear(y);
    assert.ok(Math.abs(sixties - 6_976_000) < 0.01 * 6_976_000, `1952-61 = ${sixties}`); // 13.5 % of 51.67 M
  });

  it('refuses years outside 1940-2007', () => {
    assert.throws(() => residentsByBirthYear(1939), RangeError);
    assert.throws(() => residentsByBirthYear(2008), RangeError);
  });
});

describe('birth-date distribution', () => {
  it('sums to 1 and gives each year exactly its modelled share', () => {
    const shares = expectedBirthYearShares();
    let total = 0;
    for (let y = 1940; y <= 2007; y++) total += residentsByBirthYear(y);
    assert.equal(shares.size, 68);
    for (const [year, share] of shares)
      assert.ok(Math.abs(share - residentsByBirthYear(year) / total) < 1e-12, `${year}`);
  });

  it('covers every real day of the range and nothing else', () => {
    const dist = birthDateDistribution({ bornFrom: '2000-02-01', bornTo: '2000-03-31' });
    assert.equal(dist.size, 29 + 31);
    assert.ok((dist.get('2000-02-29') ?? 0) > 0);
    assert.ok(Math.abs([...dist.values()].reduce((a, b) => a + b, 0) - 1) < 1e-12);
  });

  it('refuses a range outside the model or reversed', () => {
    assert.throws(() => birthDateDistribution({ bornFrom: '1939-12-31' }), RangeError);
    assert.throws(() => birthDateDistribution({ bornTo: '2008-01-01' }), RangeError);
    assert.throws(() => birthDateDistribution({ bornFrom: '1990-01-02', bornTo: '1990-01-01' }), RangeError);
  });
});

describe('day-of-month digit skew', () => {
  it('counts calendar days per digit over 1972-2003 (8 leap years in 32)', () => {
    assert.deepEqual(calendarDaysByDigit(1972, 2003), [
      35 * 32,
      43 * 32,
      36 * 32,
      36 * 32,
      36 * 32,
      36 * 32,
      36 * 32,
      36 * 32,
      36 * 32,
      35.25 * 32,
    ]);
  });

  it('uniform-over-days alone gives digit 1 : digit 4 = 43 : 36, short of the sourced ratio', () => {
    const cal = expectedDayDigitShares({ ...COHORT_18_49, birthDayModel: 'calendar' });
    const ratio = (cal[1] ?? 0) / (cal[4] ?? 1);
    assert.ok(Math.abs(ratio - 43 / 36) < 2e-3, `calendar 1:4 = ${ratio}`);
    assert.ok(sizeOf(1) / sizeOf(4) - ratio > 0.03, 'the sourced skew is larger than the calendar gives');
    assert.ok(Math.abs((cal[0] ?? 0) / (cal[4] ?? 1) - 35 / 36) < 2e-3);
  });

  it('the kdca-2021-groups model reproduces every published group ratio for the 18-49 cohort', () => {
    const shares = expectedDayDigitShares(COHORT_18_49);
    for (const digit of [9, 0, 1, 2, 3]) {
      const modelled = (shares[digit] ?? 0) / (shares[4] ?? 1);
      const sourced = sizeOf(digit) / sizeOf(4);
      assert.ok(Math.abs(modelled / sourced - 1) < 5e-4, `digit ${digit}: ${modelled} vs ${sourced}`);
    }
  });

  it('gives digits 5-8 the mean per-day weight of digits 2-4', () => {
    const f = dayDigitFactors('kdca-2021-groups');
    assert.deepEqual(f.slice(5, 9), [1, 1, 1, 1]);
    assert.ok(Math.abs(((f[2] ?? 0) + (f[3] ?? 0) + (f[4] ?? 0)) / 3 - 1) < 1e-12);
    assert.ok((f[0] ?? 0) > 1.15 && (f[0] ?? 0) < 1.16, `digit-0 factor ${f[0]}`);
  });
});
