import type { Generated, Selectable } from 'kysely';

export interface PeopleTable {
  id: Generated<number>;
  /** base64url(HMAC-SHA256(IDENTITY_HMAC_KEY, normalized RRN)); the RRN itself is never stored. */
  identity_hash: string;
  birth_date: string;
  name: string;
  phone: string;
  region_code: string;
}
export type PersonRow = Selectable<PeopleTable>;
