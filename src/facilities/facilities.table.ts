import type { Generated, Selectable } from 'kysely';

export interface FacilitiesTable {
  id: Generated<number>;
  code: string;
  name_ko: string;
  name_en: string;
  region_code: string;
  district_code: string;
  address: string;
  kind: string;
}
export type FacilityRow = Selectable<FacilitiesTable>;
