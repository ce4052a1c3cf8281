/**
 * Province names for region codes ('KR-11' → 서울특별시 / Seoul), from the server's own table so
 * the two never disagree. Only names and district lists reach the bundle.
 */
import { PROVINCES } from '../../../src/facilities/regions.ts';
import type { Lang } from './i18n.tsx';

export interface ProvinceOption {
  code: string;
  ko: string;
  en: string;
  districts: readonly { code: string; ko: string; en: string }[];
}

export const PROVINCE_OPTIONS: readonly ProvinceOption[] = PROVINCES;

const BY_CODE = new Map(PROVINCES.map((p) => [p.code, p]));
const DISTRICT_BY_CODE = new Map(PROVINCES.flatMap((p) => p.districts.map((d) => [d.code, d] as const)));

export function provinceName(code: string, lang: Lang): string {
  const p = BY_CODE.get(code);
  return p ? p[lang] : code;
}

export function districtName(code: string, lang: Lang): string {
  const d = DISTRICT_BY_CODE.get(code);
  return d ? d[lang] : code;
}
