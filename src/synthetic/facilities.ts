/**
 * Deterministic synthetic vaccination facilities and their daily slots.
 *
 * Facilities: `count` is split across provinces by 2021 population share (largest remainder, so
 * each province is within one facility of count × share), then across each province's districts
 * by districtWeight. Every district first gets one public health centre (every 시·군·구 runs a
 * 보건소) when the province's quota allows; the rest are clinics, hospitals and vaccination centres
 * drawn 86 : 12 : 2 — an assumption (2021 used ≈14k contracted clinics and ≈260 centres; our
 * numbers are not sourced). Each district draws from its own PRNG stream, so one district's names
 * do not change when another's count does.
 *
 * Slots: one dose-1 row per facility × date × vaccine, or, with `rotationQuotaGroups`, one row per
 * rotation digit holding that digit's equal share (2021: "slots per day and per facility were split
 * evenly across the ten groups", domain-facts 1.4). See splitQuota for rounding. With
 * `doseIntervalDays`, each facility × date × vaccine also gets one dose-2 row, `interval` days
 * later, unsplit, with exactly the dose-1 total: the 2nd dose was booked automatically at the same
 * facility (domain-facts 1.7), so every dose-1 seat has its dose-2 seat.
 */
import { addDays } from '../platform/calendar.ts';
import { createPrng, createWeightedPicker, deriveSeed, type Prng } from './prng.ts';
import { apportion } from './apportion.ts';
import { PROVINCES, districtWeight, type District, type Province } from '../facilities/regions.ts';

export type FacilityKind = 'clinic' | 'hospital' | 'public-health-center' | 'vaccination-center';

export interface Facility {
  /** District code + 4-digit ordinal, e.g. 'KR-11-01-0001'. */
  code: string;
  name: { ko: string; en: string };
  regionCode: string;
  districtCode: string;
  /** Synthetic road-name address in Korean. */
  address: string;
  /** The same address in English (romanised road, district and province). */
  addressEn: string;
  kind: FacilityKind;
}

export interface FacilityOptions {
  count: number;
  seed: number;
}

const OTHER_KINDS: readonly FacilityKind[] = ['clinic', 'hospital', 'vaccination-center'];
const pickOtherKind = createWeightedPicker([86, 12, 2]);

const PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ['한마음', 'Hanmaeum'],
  ['새봄', 'Saebom'],
  ['미래', 'Mirae'],
  ['온누리', 'Onnuri'],
  ['하나', 'Hana'],
  ['참사랑', 'Chamsarang'],
  ['늘푸른', 'Neulpureun'],
  ['밝은', 'Balgeun'],
  ['행복', 'Haengbok'],
  ['우리', 'Uri'],
  ['튼튼', 'Teunteun'],
  ['바른', 'Bareun'],
  ['다정', 'Dajeong'],
  ['열린', 'Yeollin'],
  ['한빛', 'Hanbit'],
  ['푸른', 'Pureun'],
  ['햇살', 'Haetsal'],
  ['동행', 'Donghaeng'],
  ['중앙', 'Jungang'],
];
const SPECIALTIES: ReadonlyArray<readonly [string, string]> = [
  ['내과', 'Internal Medicine'],
  ['가정의학과', 'Family Medicine'],
  ['소아청소년과', 'Pediatrics'],
  ['이비인후과', 'ENT'],
  ['정형외과', 'Orthopedics'],
  ['', 'Medical'],
];
/** Road names and their Revised Romanization (ro = road, gil = street). */
const ROADS: ReadonlyArray<readonly [string, string]> = [
  ['중앙로', 'Jungang-ro'],
  ['시청로', 'Sicheong-ro'],
  ['문화로', 'Munhwa-ro'],
  ['평화로', 'Pyeonghwa-ro'],
  ['희망로', 'Huimang-ro'],
  ['번영로', 'Beonyeong-ro'],
  ['공원로', 'Gongwon-ro'],
  ['역전로', 'Yeokjeon-ro'],
  ['대학로', 'Daehak-ro'],
  ['시장길', 'Sijang-gil'],
  ['행복로', 'Haengbok-ro'],
  ['강변로', 'Gangbyeon-ro'],
  ['산업로', 'Saneop-ro'],
  ['동부로', 'Dongbu-ro'],
  ['서부로', 'Seobu-ro'],
  ['남부로', 'Nambu-ro'],
  ['북부로', 'Bukbu-ro'],
  ['은행나무길', 'Eunhaengnamu-gil'],
];

function pick<T>(items: readonly T[], rng: Prng): T {
  const item = items[rng.nextInt(items.length)];
  if (item === undefined) throw new Error('unreachable: empty list');
  return item;
}

/**
 * A synthetic road-name address in Korean and in English. English follows the official order
 * (building number, road, district, province) with the romanised names from regions.ts:
 * 서울특별시 종로구 중앙로12번길 34 → "34, Jungang-ro 12beon-gil, Jongno-gu, Seoul".
 */
function syntheticAddress(province: Province, district: District, rng: Prng): { ko: string; en: string } {
  const [roadKo, roadEn] = pick(ROADS, rng);
  const laneNo = rng.nextInt(4) === 0 ? 1 + rng.nextInt(60) : null;
  const number = 1 + rng.nextInt(300);
  const isSingle = province.districts.length === 1;
  const place = isSingle ? province.ko : `${province.ko} ${district.ko}`;
  const placeEn = isSingle ? province.en : `${district.en}, ${province.en}`;
  const laneKo = laneNo === null ? '' : `${laneNo}번길`;
  const laneEn = laneNo === null ? '' : ` ${laneNo}beon-gil`;
  return { ko: `${place} ${roadKo}${laneKo} ${number}`, en: `${number}, ${roadEn}${laneEn}, ${placeEn}` };
}

function facilityName(kind: FacilityKind, district: District, ordinal: number, rng: Prng): { ko: string; en: string } {
  switch (kind) {
    case 'public-health-center':
      return { ko: `${district.ko}보건소`, en: `${district.en} Public Health Center` };
    case 'vaccination-center':
      return ordinal === 1
        ? { ko: `${district.ko} 예방접종센터`, en: `${district.en} Vaccination Center` }
        : { ko: `${district.ko} 제${ordinal}예방접종센터`, en: `${district.en} Vaccination Center ${ordinal}` };
    case 'hospital': {
      const [ko, en] = pick(PREFIXES, rng);
      return { ko: `${ko}병원`, en: `${en} Hospital` };
    }
    case 'clinic': {
      const [ko, en] = pick(PREFIXES, rng);
      const [sko, sen] = pick(SPECIALTIES, rng);
      return { ko: `${ko}${sko}의원`, en: `${en} ${sen} Clinic` };
    }
  }
}

/** Facilities per district of one province; public health centres first where the quota allows. */
function districtCounts(province: Province, quota: number): number[] {
  const weights = province.districts.map(districtWeight);
  const n = province.districts.length;
  if (quota < n) return apportion(quota, weights);
  return apportion(quota - n, weights).map((extra) => extra + 1);
}

function* districtFacilities(province: Province, district: District, count: number, seed: number): Generator<Facility> {
  const rng = createPrng(deriveSeed(seed, 'facilities', district.code));
  let centres = 0;
  for (let i = 0; i < count; i++) {
    const kind: FacilityKind = i === 0 ? 'public-health-center' : (OTHER_KINDS[pickOtherKind(rng)] ?? 'clinic');
    if (kind === 'vaccination-center') centres++;
    yield {
      code: `${district.code}-${String(i + 1).padStart(4, '0')}`,
      name: facilityName(kind, district, centres, rng),
      regionCode: province.code,
      districtCode: district.code,
      ...addressFields(syntheticAddress(province, district, rng)),
      kind,
    };
  }
}

const addressFields = (a: { ko: string; en: string }) => ({ address: a.ko, addressEn: a.en });

/** Streams exactly `count` facilities (0 … 9,999 per district), province by province. */
export function* generateFacilities(options: FacilityOptions): Generator<Facility, void, undefined> {
  const provinceQuotas = apportion(
    options.count,
    PROVINCES.map((p) => p.populationShare),
  );
  for (const [pi, province] of PROVINCES.entries()) {
    const counts = districtCounts(province, provinceQuotas[pi] ?? 0);
    for (const [di, district] of province.districts.entries()) {
      const count = counts[di] ?? 0;
      if (count > 9_999) throw new RangeError('more than 9,999 facilities in one district');
      yield* districtFacilities(province, district, count, options.seed);
    }
  }
}

export interface Slot {
  facilityCode: string;
  date: string;
  vaccineCode: string;
  /** 1 = bookable first dose; 2 = seat held for the automatic second dose. */
  dose: 1 | 2;
  /** Doses bookable; for a quota row, the share reserved for `rotationGroup`. */
  capacity: number;
  /** Day-of-month digit (0-9) this quota is reserved for; null when not split (always for dose 2). */
  rotationGroup: number | null;
}

export interface SlotOptions {
  facilities: Iterable<Facility>;
  /** Vaccination dates, 'YYYY-MM-DD'. */
  dates: readonly string[];
  /** Vaccine codes; every facility offers every listed vaccine every date. */
  vaccines: readonly string[];
  /** Doses per facility, date and vaccine: a constant or a function of them (integer ≥ 0). */
  capacityPerDay: number | ((facility: Facility, date: string, vaccineCode: string) => number);
  seed: number;
  /** Jitter capacity uniformly by ±this fraction (0 … 1), rounded; default 0 (no draw made). */
  capacityJitter?: number;
  /** Rotation digits to split each facility-day dose-1 capacity across, e.g. [0, …, 9]. */
  rotationQuotaGroups?: readonly number[];
  /** Also emit dose-2 rows this many days after each dose-1 date (integer ≥ 1). */
  doseIntervalDays?: number;
}

/**
 * Splits a capacity into equal whole quotas, one per rotation digit, in ascending digit order.
 * Rounding: each digit gets floor(capacity / groups); the remainder goes one dose each to the
 * LOWEST digits (capacity 25 over 0-9 → digits 0-4 get 3, digits 5-9 get 2). Quotas always sum to
 * the capacity; zero quotas are kept so every digit has a row.
 */
export function splitQuota(
  capacity: number,
  groups: readonly number[],
): Array<{ rotationGroup: number; capacity: number }> {
  if (!Number.isSafeInteger(capacity) || capacity < 0) throw new RangeError('capacity must be a non-negative integer');
  const digits = [...groups].sort((a, b) => a - b);
  const isDigitSet =
    digits.length > 0 && digits.every((d, i) => Number.isInteger(d) && d >= 0 && d <= 9 && d !== digits[i - 1]);
  if (!isDigitSet) throw new RangeError('rotation groups must be distinct digits 0-9, at least one');
  const base = Math.floor(capacity / digits.length);
  const remainder = capacity - base * digits.length;
  return digits.map((rotationGroup, i) => ({ rotationGroup, capacity: base + (i < remainder ? 1 : 0) }));
}

function createCapacityOf(options: SlotOptions): (f: Facility, date: string, vaccine: string) => number {
  const jitter = options.capacityJitter ?? 0;
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError('capacityJitter must be in [0, 1]');
  const rng = createPrng(deriveSeed(options.seed, 'slot-capacity'));
  const { capacityPerDay } = options;
  return (f, date, vaccine) => {
    const base = typeof capacityPerDay === 'number' ? capacityPerDay : capacityPerDay(f, date, vaccine);
    if (!Number.isSafeInteger(base) || base < 0)
      throw new RangeError('capacityPerDay must give a non-negative integer');
    return jitter === 0 ? base : Math.max(0, Math.round(base * (1 + jitter * (2 * rng.nextFloat() - 1))));
  };
}

function assertSlotOptions(options: SlotOptions): void {
  if (options.rotationQuotaGroups !== undefined) splitQuota(0, options.rotationQuotaGroups);
  const interval = options.doseIntervalDays;
  if (interval !== undefined && !(Number.isSafeInteger(interval) && interval >= 1)) {
    throw new RangeError('doseIntervalDays must be an integer >= 1');
  }
}

/**
 * Streams slots facility by facility, then date, then vaccine: the dose-1 row(s) (one per rotation
 * digit when split), then the dose-2 row if requested.
 */
export function* generateSlots(options: SlotOptions): Generator<Slot, void, undefined> {
  assertSlotOptions(options);
  const capacityOf = createCapacityOf(options);
  const { rotationQuotaGroups: groups, doseIntervalDays } = options;
  for (const facility of options.facilities) {
    for (const date of options.dates) {
      for (const vaccineCode of options.vaccines) {
        const capacity = capacityOf(facility, date, vaccineCode);
        const base = { facilityCode: facility.code, date, vaccineCode, dose: 1 as const };
        if (groups === undefined) yield { ...base, capacity, rotationGroup: null };
        else for (const quota of splitQuota(capacity, groups)) yield { ...base, ...quota };
        if (doseIntervalDays !== undefined) {
          yield { ...base, date: addDays(date, doseIntervalDays), dose: 2, capacity, rotationGroup: null };
        }
      }
    }
  }
}
