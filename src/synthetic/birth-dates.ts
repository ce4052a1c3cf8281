/**
 * The distribution of synthetic birth dates: years weighted by modelled residents (birth-years.ts),
 * days within a year weighted by the last digit of the day of the month.
 *
 * Why the day digit matters: the 2021 18-49 round booked by 10-day rotation on that digit, and the
 * groups were unequal (domain-facts 1.4, https://www.kmib.co.kr/article/view_amp.asp?arcid=0016170496):
 *   digit 9: 1,408,217   0: 1,648,528   1: 1,736,684   2: 1,489,502   3: 1,511,107   4: 1,409,605
 *   (5-8 not published).
 * What uniform-over-calendar-days gives (1972-2003 holds 8 leap years in 32, so per average year
 * digit 1 has 43 days — 1st, 11th, 21st and the seven 31sts —, digits 2-8 have 36, digit 9 has
 * 35.25 — no 29 Feb in 3 years of 4 —, digit 0 has 35 — no 30 Feb):
 *   ratio  1:4 calendar 1.194, sourced 1.232     ratio 1:9 calendar 1.220, sourced 1.233
 *   ratio  0:4 calendar 0.972, sourced 1.169     ratio 2:4 calendar 1.000, sourced 1.057
 * Per calendar day (group ÷ days) the sourced figures are 9: 39,949  0: 47,101  1: 40,388
 * 2: 41,375  3: 41,975  4: 39,156. Scaling uniform-over-days to the six groups' total predicts
 * 9: 1,466,485 (sourced −4.0 %)  0: 1,455,917 (+13.2 %)  1: 1,788,698 (−2.9 %)  2-4: 1,497,514 each
 * (−0.5 %, +0.9 %, −5.9 %). So the digit-1 excess is the calendar (31sts), as expected;
 * the digit-0 excess (+15 % per day against the mean of 2-4) is NOT, and 2-4 differ by ±4 %. Causes are
 * unknown here (heaping of registered dates on the 10th/20th/30th is one guess; group counts were
 * also "eligible on the day", not residents). The default model 'kdca-2021-groups' reproduces the
 * sourced group ratios for 1972-2003 (to 0.05 %: year weights differ slightly from uniform) and
 * assumes digits 5-8 equal the mean per-day weight of digits 2-4;
 * 'calendar' is plain uniform-over-days. Either model applies its day factors to all birth years alike.
 */
import { daysInMonth, epochDayOf, formatLocalDate, localDateOfEpochDay } from '../platform/calendar.ts';
import { BIRTH_YEAR_MAX, BIRTH_YEAR_MIN, residentsByBirthYear } from './birth-years.ts';

export type BirthDayModel = 'calendar' | 'kdca-2021-groups';

export interface BirthDateOptions {
  /** First birth date included; default '1940-01-01'. */
  bornFrom?: string;
  /** Last birth date included; default '2007-12-31'. */
  bornTo?: string;
  /** Default 'kdca-2021-groups'. */
  birthDayModel?: BirthDayModel;
}

/** 18-49 round rotation-group sizes by day digit, KDCA 2021 (see header). Digits 5-8 unknown. */
export const KDCA_2021_ROTATION_GROUP_SIZES: Readonly<Record<number, number>> = {
  9: 1_408_217,
  0: 1_648_528,
  1: 1_736_684,
  2: 1_489_502,
  3: 1_511_107,
  4: 1_409_605,
};

/** The 18-49 cohort's birth years, used to turn group sizes into per-day intensities. */
const KDCA_COHORT_YEARS = [1972, 2003] as const;

/** Calendar days per day-of-month digit summed over whole years [from, to]. */
export function calendarDaysByDigit(fromYear: number, toYear: number): number[] {
  const counts = new Array<number>(10).fill(0);
  for (let y = fromYear; y <= toYear; y++) {
    for (let m = 1; m <= 12; m++) {
      for (let d = 1; d <= daysInMonth(y, m); d++) counts[d % 10] = (counts[d % 10] ?? 0) + 1;
    }
  }
  return counts;
}

/** Relative weight of one calendar day, indexed by the last digit of its day of month. */
export function dayDigitFactors(model: BirthDayModel): readonly number[] {
  if (model === 'calendar') return new Array<number>(10).fill(1);
  const days = calendarDaysByDigit(KDCA_COHORT_YEARS[0], KDCA_COHORT_YEARS[1]);
  const intensity = (digit: number): number =>
    (KDCA_2021_ROTATION_GROUP_SIZES[digit] ?? Number.NaN) / (days[digit] ?? Number.NaN);
  const reference = (intensity(2) + intensity(3) + intensity(4)) / 3;
  return Array.from({ length: 10 }, (_, digit) =>
    digit in KDCA_2021_ROTATION_GROUP_SIZES ? intensity(digit) / reference : 1,
  );
}

/** Probability of each consecutive birth date from `firstDayNumber` (days since 1970-01-01). */
export interface BirthDateTable {
  firstDayNumber: number;
  /** One entry per day of the range; sums to 1. */
  probabilities: Float64Array;
}

function yearDigitFactorSum(year: number, factors: readonly number[]): number {
  let sum = 0;
  for (let m = 1; m <= 12; m++) {
    for (let d = 1; d <= daysInMonth(year, m); d++) sum += factors[d % 10] ?? 0;
  }
  return sum;
}

/** Builds the birth-date distribution. A range outside 1940-2007 or reversed throws. */
export function birthDateTable(options: BirthDateOptions = {}): BirthDateTable {
  const from = epochDayOf(options.bornFrom ?? `${BIRTH_YEAR_MIN}-01-01`);
  const to = epochDayOf(options.bornTo ?? `${BIRTH_YEAR_MAX}-12-31`);
  const fromYear = localDateOfEpochDay(from).year;
  const toYear = localDateOfEpochDay(to).year;
  if (fromYear < BIRTH_YEAR_MIN || toYear > BIRTH_YEAR_MAX || to < from) {
    throw new RangeError(
      `birth dates must satisfy ${BIRTH_YEAR_MIN}-01-01 <= bornFrom <= bornTo <= ${BIRTH_YEAR_MAX}-12-31`,
    );
  }
  const factors = dayDigitFactors(options.birthDayModel ?? 'kdca-2021-groups');
  const probabilities = new Float64Array(to - from + 1);
  let total = 0;
  for (let year = fromYear; year <= toYear; year++) {
    const perFactor = residentsByBirthYear(year) / yearDigitFactorSum(year, factors);
    const jan1 = epochDayOf({ year, month: 1, day: 1 });
    let offset = 0;
    for (let m = 1; m <= 12; m++) {
      for (let d = 1; d <= daysInMonth(year, m); d++, offset++) {
        const index = jan1 + offset - from;
        if (index < 0 || index >= probabilities.length) continue;
        const weight = perFactor * (factors[d % 10] ?? 0);
        probabilities[index] = weight;
        total += weight;
      }
    }
  }
  for (let i = 0; i < probabilities.length; i++) probabilities[i] = (probabilities[i] ?? 0) / total;
  return { firstDayNumber: from, probabilities };
}

/** The distribution as date → probability (for inspection and tests; ~25k entries at most). */
export function birthDateDistribution(options: BirthDateOptions = {}): ReadonlyMap<string, number> {
  const { firstDayNumber, probabilities } = birthDateTable(options);
  const out = new Map<string, number>();
  probabilities.forEach((p, i) => out.set(formatLocalDate(localDateOfEpochDay(firstDayNumber + i)), p));
  return out;
}

/** Expected share of people per day-of-month digit (index = digit), e.g. rotation-group sizes. */
export function expectedDayDigitShares(options: BirthDateOptions = {}): number[] {
  const { firstDayNumber, probabilities } = birthDateTable(options);
  const shares = new Array<number>(10).fill(0);
  probabilities.forEach((p, i) => {
    const digit = localDateOfEpochDay(firstDayNumber + i).day % 10;
    shares[digit] = (shares[digit] ?? 0) + p;
  });
  return shares;
}

/** Expected share of people per birth year within the range. */
export function expectedBirthYearShares(options: BirthDateOptions = {}): ReadonlyMap<number, number> {
  const { firstDayNumber, probabilities } = birthDateTable(options);
  const shares = new Map<number, number>();
  probabilities.forEach((p, i) => {
    const year = localDateOfEpochDay(firstDayNumber + i).year;
    shares.set(year, (shares.get(year) ?? 0) + p);
  });
  return shares;
}
