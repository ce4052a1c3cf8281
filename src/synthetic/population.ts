/**
 * A deterministic synthetic population, streamed: `for (const p of generatePopulation({ size:
 * 1_500_000, seed: 7 }))` holds one person at a time (plus two serial counters per birth date).
 *
 * - Birth date: birth-dates.ts (years by modelled 2021 residents, days by day-of-month digit).
 * - Sex: 1:1. (Korea's sex ratio at birth reached ≈1.1 in the early 1990s and women outlive men;
 *   neither is modelled.)
 * - Province by 2021 population share; district within it by districtWeight (regions.ts). Age and
 *   region are independent here, though rural provinces are older in reality.
 * - RRN: checksum-valid, unique within the population: the k-th person with a given birth date and
 *   sex gets serial (a·k + b) mod 100,000 with a coprime with 100,000, so serials never repeat
 *   while fewer than 100,000 people share a birth date and sex (otherwise RangeError).
 * - Phone: '010-XXXX-XXXX', unique: person i gets an affine permutation of i over the 80,000,000
 *   numbers whose middle block is 2000-9999 (010-0XXX/1XXX are not issued).
 *
 * Birth dates come from their own PRNG stream, so birthDateHistogram replays them without
 * generating anyone: its counts equal those of generatePopulation with the same options.
 * Synthetic RRNs may equal real people's numbers: see the privacy contract in rrn.ts.
 */
import { PROVINCES, districtWeight } from '../facilities/regions.ts';
import { birthDateTable, type BirthDateOptions } from './birth-dates.ts';
import { formatLocalDate, localDateOfEpochDay } from '../platform/calendar.ts';
import { syntheticKoreanName } from './names.ts';
import { createPrng, createWeightedPicker, deriveSeed, type Prng } from './prng.ts';
import { makeRrn, RRN_SERIAL_COUNT, type Sex } from '../people/rrn.ts';

export interface PopulationOptions extends BirthDateOptions {
  /** Number of people, 0 … 80,000,000. */
  size: number;
  seed: number;
}

export interface SyntheticPerson {
  /** 'YYMMDD-GNNNNNC', as a citizen would type it. Never log or store it in clear. */
  rrn: string;
  birthDate: string;
  sex: Sex;
  name: string;
  /** '010-XXXX-XXXX' */
  phone: string;
  /** Province code, e.g. 'KR-11'. */
  regionCode: string;
  /** District code, e.g. 'KR-11-01'. */
  districtCode: string;
}

const PHONE_SPACE = 80_000_000;

function assertSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0 || size > PHONE_SPACE) {
    throw new RangeError(`size must be an integer in [0, ${PHONE_SPACE}]`);
  }
}

/** A multiplier coprime with `modulus` (a power-of-ten multiple: coprime ⇔ odd and not ×5). */
function coprimeStep(seed: number, label: string, modulus: number): number {
  let step = (deriveSeed(seed, label) % (modulus - 1)) + 1;
  while (step % 2 === 0 || step % 5 === 0) step = (step % (modulus - 1)) + 1;
  return step;
}

/** Draws birth-date indexes (days from the table's first day), one per person. */
function birthDayStream(options: PopulationOptions): { firstDayNumber: number; length: number; next: () => number } {
  assertSize(options.size);
  const table = birthDateTable(options);
  const pickDay = createWeightedPicker(table.probabilities);
  const rng = createPrng(deriveSeed(options.seed, 'birth-date'));
  return { firstDayNumber: table.firstDayNumber, length: table.probabilities.length, next: () => pickDay(rng) };
}

function createPlacePicker(): (rng: Prng) => { regionCode: string; districtCode: string } {
  const pickProvince = createWeightedPicker(PROVINCES.map((p) => p.populationShare));
  const pickDistrict = PROVINCES.map((p) => createWeightedPicker(p.districts.map(districtWeight)));
  return (rng) => {
    const pi = pickProvince(rng);
    const province = PROVINCES[pi];
    const district = province?.districts[pickDistrict[pi]?.(rng) ?? 0];
    if (province === undefined || district === undefined) throw new Error('unreachable: picker out of range');
    return { regionCode: province.code, districtCode: district.code };
  };
}

function formatPhone(index: number, step: number, offset: number): string {
  const n = (step * index + offset) % PHONE_SPACE; // step, index < 8e7: product < 2^53
  const middle = 2000 + Math.floor(n / 10_000);
  return `010-${middle}-${String(n % 10_000).padStart(4, '0')}`;
}

/** A per-bucket offset: one multiply-xorshift round, enough to make first serials differ. */
function mixBucket(salt: number, bucket: number): number {
  let z = (salt ^ Math.imul(bucket + 1, 0x9e3779b1)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Streams `size` synthetic people. Same options, same people, in the same order. */
export function* generatePopulation(options: PopulationOptions): Generator<SyntheticPerson, void, undefined> {
  const days = birthDayStream(options);
  const rng = createPrng(deriveSeed(options.seed, 'attributes'));
  const pickPlace = createPlacePicker();
  const dateCache = new Array<string | undefined>(days.length);
  const serialsUsed = new Uint32Array(days.length * 2);
  const serialStep = coprimeStep(options.seed, 'rrn-serial-step', RRN_SERIAL_COUNT);
  const serialSalt = deriveSeed(options.seed, 'rrn-serial-salt');
  const phoneStep = coprimeStep(options.seed, 'phone-step', PHONE_SPACE);
  const phoneOffset = deriveSeed(options.seed, 'phone-offset') % PHONE_SPACE;
  for (let i = 0; i < options.size; i++) {
    const dayIndex = days.next();
    const birthDate =
      dateCache[dayIndex] ??
      (dateCache[dayIndex] = formatLocalDate(localDateOfEpochDay(days.firstDayNumber + dayIndex)));
    const sex: Sex = rng.nextUint32() < 0x80000000 ? 'M' : 'F';
    const bucket = dayIndex * 2 + (sex === 'M' ? 0 : 1);
    const k = serialsUsed[bucket] ?? 0;
    if (k >= RRN_SERIAL_COUNT) throw new RangeError('more than 100,000 people share a birth date and sex');
    serialsUsed[bucket] = k + 1;
    const serialOffset = mixBucket(serialSalt, bucket) % RRN_SERIAL_COUNT;
    const serial = (serialStep * k + serialOffset) % RRN_SERIAL_COUNT;
    const place = pickPlace(rng);
    yield {
      rrn: makeRrn(birthDate, sex, serial),
      birthDate,
      sex,
      name: syntheticKoreanName(sex, rng),
      phone: formatPhone(i, phoneStep, phoneOffset),
      ...place,
    };
  }
}

/**
 * Exact count of people per birth date in generatePopulation(options), without generating them
 * (one PRNG draw per person). Dates with no one are absent.
 */
export function birthDateHistogram(options: PopulationOptions): Map<string, number> {
  const days = birthDayStream(options);
  const counts = new Uint32Array(days.length);
  for (let i = 0; i < options.size; i++) {
    const dayIndex = days.next();
    counts[dayIndex] = (counts[dayIndex] ?? 0) + 1;
  }
  const out = new Map<string, number>();
  counts.forEach((count, i) => {
    if (count > 0) out.set(formatLocalDate(localDateOfEpochDay(days.firstDayNumber + i)), count);
  });
  return out;
}
