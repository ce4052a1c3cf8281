import type { Generated, Selectable } from 'kysely';

export interface FacilitiesTable {
  id: Generated<number>;
  code: string;
  name_ko: string;
  name_en: string;
  region_code: string;
  district_code: string;
  address: string;
  /** English road-name address; '' when not known (the Korean one is shown). */
  address_en: Generated<string>;
  kind: string;
}
export type FacilityRow = Selectable<FacilitiesTable>;
