/**
 * Registers a synthetic population in the person registry: each RRN is parsed, hashed with the
 * registry's HMAC key and dropped; only the hash, birth date, name, phone and region are stored.
 */
import type { DbOrTrx } from '../platform/db.ts';
import { identityHashOf } from '../identity/identity-hash.ts';
import { generatePopulation, type PopulationOptions } from './population.ts';
import { insertPeople, type NewPerson } from '../people/people.repository.ts';
import { parseRrn } from '../people/rrn.ts';

const BATCH = 2_000;

/** Inserts the population in batches; `onBatch(doneSoFar)` after each. Returns how many were new. */
export async function registerPopulation(
  db: DbOrTrx,
  hmacKey: string,
  options: PopulationOptions,
  onBatch?: (done: number) => void,
): Promise<number> {
  let batch: NewPerson[] = [];
  let done = 0;
  let inserted = 0;
  const flush = async () => {
    inserted += await insertPeople(db, batch);
    done += batch.length;
    batch = [];
    onBatch?.(done);
  };
  for (const p of generatePopulation(options)) {
    const parsed = parseRrn(p.rrn);
    if (!parsed.ok) throw new Error('population generator produced an invalid RRN');
    batch.push({
      identity_hash: identityHashOf(hmacKey, parsed.value.normalized),
      birth_date: p.birthDate,
      name: p.name,
      phone: p.phone,
      region_code: p.regionCode,
    });
    if (batch.length === BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  return inserted;
}
