/**
 * Modelled 2021 resident population of Korea by birth year, 1940-2007: the relative weights of the
 * synthetic population's birth years. Only ratios matter (a population is drawn to a given size).
 *
 * Sources and assumptions (see /work/shared/domain-facts.md section 5):
 * - 1962-1995: births per year, Statistics Korea series as tabulated in domain-facts section 5.
 * - 1996-2003: NOT retrieved. Linear interpolation between the anchors 1995 = 715,020 (table),
 *   2001 ≈ 560,000 and 2003 ≈ 493,500 (domain-facts anchors). The real series is bumpier (a
 *   millennium bump in 2000 is likely missed); replace with KOSTAT's figures when available.
 * - 2004-2007: KOSTAT births as recalled (476,958; 438,707; 451,759; 496,822), NOT from a source in
 *   this project; marked for verification.
 * - Survival (births → 2021 residents): 0.90 for 1971 and earlier, as domain-facts derives for the
 *   1960s (0.88-0.92), rising linearly to 1.00 for 2001 and later: 558,704 residents born in 2001
 *   were registered at end-2019 (http://www.todaykorea.co.kr/news/view.php?no=267337) against
 *   ≈560,000 births. A flat 0.90 for every year would under-weight the young by up
 *   to 10 %: this model gives 21.0 M for 1972-2001 against 21.75 M sourced for ages 20-49 in June
 *   2021 (42.1 % of 51,672,400; http://211.233.22.161/arti/politics/administration/1002409.html);
 *   a flat 0.90 gives 19.9 M.
 * - Known over-count: 1962-1971 models 9.20 M against 8.59 M people in their 50s in June 2021
 *   (domain-facts 5), so early-1960s births in the table overstate today's residents by ≈7 %.
 *   Kept, because the table is the project's sourced series.
 * - 1940-1961: no births series here. Residents are modelled directly as a piecewise-linear curve
 *   through hand-fitted anchors: 1961 = 943,624 (July 2023 residents, domain-facts 5), a Korean War
 *   dip in 1950-51 and the post-war boom, fitted so 1952-1961 sums to ≈7.00 M (60대 = 13.5 %) and
 *   1942-1951 to ≈3.65 M (70대 = 7.1 %) of June-2021 residents (same hani.co.kr source).
 */

export const BIRTH_YEAR_MIN = 1940;
export const BIRTH_YEAR_MAX = 2007;

/** Births per year, 1962-1995 (domain-facts section 5). */
const SOURCED_BIRTHS: Readonly<Record<number, number>> = {
  1962: 1_036_659,
  1963: 1_033_220,
  1964: 1_001_833,
  1965: 996_052,
  1966: 1_030_245,
  1967: 1_005_295,
  1968: 1_043_321,
  1969: 1_044_943,
  1970: 1_006_645,
  1971: 1_024_773,
  1972: 952_780,
  1973: 965_521,
  1974: 922_823,
  1975: 874_030,
  1976: 796_331,
  1977: 825_339,
  1978: 750_728,
  1979: 862_669,
  1980: 862_835,
  1981: 867_409,
  1982: 848_312,
  1983: 769_155,
  1984: 674_793,
  1985: 655_489,
  1986: 636_019,
  1987: 623_831,
  1988: 633_092,
  1989: 639_431,
  1990: 649_738,
  1991: 709_275,
  1992: 730_678,
  1993: 715_826,
  1994: 721_185,
  1995: 715_020,
};

/** Births 2004-2007 as recalled; unverified (see header). */
const RECALLED_BIRTHS: Readonly<Record<number, number>> = {
  2004: 476_958,
  2005: 438_707,
  2006: 451_759,
  2007: 496_822,
};

/** Anchors (year, births) for the 1996-2003 interpolation. */
const BIRTH_ANCHORS_1995_2003: ReadonlyArray<readonly [number, number]> = [
  [1995, 715_020],
  [2001, 560_000],
  [2003, 493_500],
];

/** Anchors (year, 2021 residents) for 1940-1961, modelled directly (see header). */
const RESIDENT_ANCHORS_1940_1961: ReadonlyArray<readonly [number, number]> = [
  [1940, 250_000],
  [1945, 340_000],
  [1949, 430_000],
  [1951, 400_000],
  [1953, 500_000],
  [1955, 640_000],
  [1958, 770_000],
  [1960, 890_000],
  [1961, 943_624],
];

function interpolate(anchors: ReadonlyArray<readonly [number, number]>, year: number): number {
  for (let i = 0; i + 1 < anchors.length; i++) {
    const [y0, v0] = anchors[i] ?? [0, 0];
    const [y1, v1] = anchors[i + 1] ?? [0, 0];
    if (year >= y0 && year <= y1) return v0 + ((v1 - v0) * (year - y0)) / (y1 - y0);
  }
  throw new RangeError(`no anchors cover ${year}`);
}

/** Births in a year, 1962-2007: sourced, interpolated or recalled (see header). */
export function birthsInYear(year: number): number {
  const sourced = SOURCED_BIRTHS[year] ?? RECALLED_BIRTHS[year];
  if (sourced !== undefined) return sourced;
  if (year > 1995 && year < 2004) return Math.round(interpolate(BIRTH_ANCHORS_1995_2003, year));
  throw new RangeError(`no births figure for ${year}`);
}

/** Share of a year's births still registered residents in 2021 (see header). */
export function survivalTo2021(year: number): number {
  if (year <= 1971) return 0.9;
  if (year >= 2001) return 1;
  return 0.9 + (0.1 * (year - 1971)) / 30;
}

/** Modelled 2021 residents born in `year` (BIRTH_YEAR_MIN … BIRTH_YEAR_MAX). */
export function residentsByBirthYear(year: number): number {
  if (!Number.isInteger(year) || year < BIRTH_YEAR_MIN || year > BIRTH_YEAR_MAX) {
    throw new RangeError(`birth year must be an integer in ${BIRTH_YEAR_MIN}-${BIRTH_YEAR_MAX}`);
  }
  if (year <= 1961) return interpolate(RESIDENT_ANCHORS_1940_1961, year);
  return birthsInYear(year) * survivalTo2021(year);
}
