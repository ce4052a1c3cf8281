/**
 * Synthetic Korean-style names: a surname drawn by frequency, then two given-name syllables from a
 * pool that leans male or female. Plausible, not real: any match with a real person is chance.
 * Surname weights are approximate shares (per mille) of the 2015 census as recalled (김 ≈ 21.5 %,
 * 이 ≈ 14.7 %, 박 ≈ 8.4 % …); the tail of rarer surnames is folded into the listed ones.
 */
import { createWeightedPicker, type Prng } from './prng.ts';
import type { Sex } from '../people/rrn.ts';

const SURNAMES: ReadonlyArray<readonly [string, number]> = [
  ['김', 215],
  ['이', 147],
  ['박', 84],
  ['최', 47],
  ['정', 44],
  ['강', 23],
  ['조', 21],
  ['윤', 21],
  ['장', 20],
  ['임', 17],
  ['한', 15],
  ['오', 15],
  ['서', 15],
  ['신', 15],
  ['권', 14],
  ['황', 14],
  ['안', 14],
  ['송', 13],
  ['류', 12],
  ['전', 11],
  ['홍', 11],
  ['고', 9],
  ['문', 9],
  ['양', 9],
  ['손', 9],
  ['배', 8],
  ['백', 7],
  ['허', 6],
  ['유', 6],
  ['남', 5],
  ['심', 5],
  ['노', 4],
  ['하', 4],
  ['곽', 4],
  ['성', 4],
  ['차', 4],
  ['주', 4],
  ['우', 4],
  ['구', 4],
  ['민', 3],
  ['나', 3],
  ['진', 3],
  ['지', 3],
  ['엄', 3],
  ['채', 3],
  ['원', 3],
  ['천', 2],
  ['방', 2],
];

const MALE_SYLLABLES = [...'민준서현우진성영동재지호석훈승태상정용혁수원철경건도윤시하빈규찬'];
const FEMALE_SYLLABLES = [...'지민서수현은영혜유진연정희경미아윤주하나예소다채선숙순옥보람'];

const pickSurname = createWeightedPicker(SURNAMES.map(([, w]) => w));

function pickFrom(pool: readonly string[], rng: Prng): string {
  return pool[rng.nextInt(pool.length)] ?? '';
}

/** Draws a name; always three draws from `rng`, so streams stay aligned whatever the result. */
export function syntheticKoreanName(sex: Sex, rng: Prng): string {
  const surname = SURNAMES[pickSurname(rng)]?.[0] ?? '김';
  const pool = sex === 'M' ? MALE_SYLLABLES : FEMALE_SYLLABLES;
  return `${surname}${pickFrom(pool, rng)}${pickFrom(pool, rng)}`;
}
