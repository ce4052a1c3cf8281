import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROVINCES } from '../facilities/regions.ts';
import { expectedBirthYearShares, expectedDayDigitShares } from './birth-dates.ts';
import { birthDayDigitOf } from '../eligibility/openings.ts';
import { birthDateHistogram, generatePopulation, type PopulationOptions, type SyntheticPerson } from './population.ts';
import { parseRrn } from '../people/rrn.ts';

const take = (options: PopulationOptions): SyntheticPerson[] => [...generatePopulation(options)];

/** |observed − n·p| ≤ sds binomial standard deviations. */
function assertNearCount(observed: number, n: number, p: number, label: string, sds = 4): void {
  const sd = Math.sqrt(n * p * (1 - p));
  assert.ok(
    Math.abs(observed - n * p) <= sds * sd + 1e-9,
    `${label}: observed ${observed}, expected ${(n * p).toFixed(1)} ± ${(sds * sd).toFixed(1)}`,
  );
}

describe('generatePopulation', () => {
  const people = take({ size: 100_000, seed: 2021 });

  it('yields exactly `size` people, lazily', () => {
    assert.equal(people.length, 100_000);
    assert.equal(take({ size: 0, seed: 1 }).length, 0);
    const stream = generatePopulation({ size: 3, seed: 1 });
    assert.equal(typeof stream.next, 'function');
    assert.equal([...stream].length, 3);
  });

  it('is deterministic for a seed and different across seeds', () => {
    assert.deepEqual(take({ size: 2_000, seed: 2021 }), people.slice(0, 2_000));
    const other = take({ size: 2_000, seed: 2022 });
    assert.ok(other.filter((p, i) => p.rrn === people[i]?.rrn).length < 5);
  });

  it('gives every person a valid RRN that agrees with their birth date and sex, all distinct', () => {
    for (const p of people) {
      const parsed = parseRrn(p.rrn);
      assert.ok(parsed.ok);
      assert.equal(parsed.value.birthDate, p.birthDate);
      assert.equal(parsed.value.sex, p.sex);
      assert.equal(parsed.value.isForeignResident, false);
    }
    assert.equal(new Set(people.map((p) => p.rrn)).size, people.length);
  });

  it('gives distinct 010 mobile numbers and Korean three-syllable names', () => {
    for (const p of people) {
      assert.match(p.phone, /^010-[2-9]\d{3}-\d{4}$/);
      assert.match(p.name, /^[가-힣]{3}$/);
    }
    assert.equal(new Set(people.map((p) => p.phone)).size, people.length);
  });

  it('places people in provinces by 2021 population share', () => {
    const counts = new Map<string, number>();
    for (const p of people) {
      assert.ok(p.districtCode.startsWith(`${p.regionCode}-`), `${p.districtCode} in ${p.regionCode}`);
      counts.set(p.regionCode, (counts.get(p.regionCode) ?? 0) + 1);
    }
    for (const province of PROVINCES) {
      assertNearCount(counts.get(province.code) ?? 0, people.length, province.populationShare, province.code);
    }
  });

  it('splits the sexes about evenly', () => {
    assertNearCount(people.filter((p) => p.sex === 'M').length, people.length, 0.5, 'men');
  });

  it('follows the birth-year table by decade', () => {
    const expected = new Map<number, number>();
    for (const [year, share] of expectedBirthYearShares()) {
      const decade = Math.floor(year / 10) * 10;
      expected.set(decade, (expected.get(decade) ?? 0) + share);
    }
    for (const [decade, share] of expected) {
      const observed = people.filter((p) => Math.floor(Number(p.birthDate.slice(0, 4)) / 10) * 10 === decade).length;
      assertNearCount(observed, people.length, share, `${decade}s`);
    }
  });

  it('keeps birth dates inside bornFrom … bornTo', () => {
    const cohort = take({ size: 5_000, seed: 3, bornFrom: '1967-01-01', bornTo: '1968-12-31' });
    assert.ok(cohort.every((p) => p.birthDate >= '1967-01-01' && p.birthDate <= '1968-12-31'));
  });

  it('keeps RRNs unique even when everyone shares one birth date, up to the 100,000-serial limit', () => {
    const oneDay = take({ size: 150_000, seed: 4, bornFrom: '1990-05-05', bornTo: '1990-05-05' });
    assert.equal(new Set(oneDay.map((p) => p.rrn)).size, 150_000);
    assert.throws(() => take({ size: 200_001, seed: 4, bornFrom: '1990-05-05', bornTo: '1990-05-05' }), RangeError);
  });

  it('refuses sizes it cannot honour', () => {
    assert.throws(() => take({ size: -1, seed: 1 }), RangeError);
    assert.throws(() => take({ size: 1.5, seed: 1 }), RangeError);
  });
});

describe('birthDateHistogram', () => {
  it('counts exactly the birth dates generatePopulation produces, without generating people', () => {
    const options = { size: 30_000, seed: 99, bornFrom: '1972-01-01', bornTo: '2003-12-31' };
    const fromPeople = new Map<string, number>();
    for (const p of generatePopulation(options)) fromPeople.set(p.birthDate, (fromPeople.get(p.birthDate) ?? 0) + 1);
    assert.deepEqual(birthDateHistogram(options), fromPeople);
  });

  it('matches the birth-year table within 4 standard deviations per year at 1.5 M people', () => {
    const n = 1_500_000;
    const byYear = new Map<number, number>();
    for (const [date, count] of birthDateHistogram({ size: n, seed: 2021 })) {
      const year = Number(date.slice(0, 4));
      byYear.set(year, (byYear.get(year) ?? 0) + count);
    }
    for (const [year, share] of expectedBirthYearShares()) assertNearCount(byYear.get(year) ?? 0, n, share, `${year}`);
  });

  it('reproduces the 2021 rotation-group skew for the 18-49 cohort', () => {
    const cohort = { bornFrom: '1972-01-01', bornTo: '2003-12-31' };
    const n = 1_500_000;
    const byDigit = new Array<number>(10).fill(0);
    for (const [date, count] of birthDateHistogram({ size: n, seed: 5, ...cohort })) {
      const digit = birthDayDigitOf(date);
      byDigit[digit] = (byDigit[digit] ?? 0) + count;
    }
    expectedDayDigitShares(cohort).forEach((share, digit) =>
      assertNearCount(byDigit[digit] ?? 0, n, share, `digit ${digit}`),
    );
    assert.ok((byDigit[1] ?? 0) / (byDigit[4] ?? 1) > 1.2, 'digit 1 outnumbers digit 4 by about 23 %');
  });
});
