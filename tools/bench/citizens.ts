/**
 * The people the bench plays: synthetic citizens of the demo population (the same seed the server
 * registers), dose-1 slots to book, and session tokens. Sessions for the overload phases are
 * signed by the bench with the service's SIGNING_SECRET through the service's own token signer
 * (the identity provider is another organisation's system; its capacity is not what is measured
 * there). The peak phase verifies every identity over HTTP instead.
 */
import pg from 'pg';
import { DEMO_POPULATION_SEED } from '../../src/app/seed.ts';
import type { SessionClaims } from '../../src/identity/identity.service.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { createTokenSigner } from '../../src/platform/signing.ts';
import { generatePopulation } from '../../src/synthetic/population.ts';

/** The demo campaign's one cohort (src/eligibility/seed-campaigns.ts demoCampaign). */
export const DEMO_COHORT = { bornFrom: '1940-01-01', bornTo: '2007-12-31' } as const;
const SESSION_TTL_MS = 30 * 60_000;

export interface VerifiablePerson {
  rrn: string;
  name: string;
}

/** The first `count` people of the demo population who are in the demo cohort. */
export function verifiablePeople(populationSize: number, count: number): VerifiablePerson[] {
  const out: VerifiablePerson[] = [];
  for (const p of generatePopulation({ size: populationSize, seed: DEMO_POPULATION_SEED })) {
    if (p.birthDate < DEMO_COHORT.bornFrom || p.birthDate > DEMO_COHORT.bornTo) continue;
    out.push({ rrn: p.rrn, name: p.name });
    if (out.length === count) break;
  }
  if (out.length < count)
    throw new Error(`only ${out.length} of ${count} people in the demo cohort; raise the population`);
  return out;
}

export interface RegisteredPerson {
  id: number;
  identityHash: string;
}

/** People of the cohort registered in the bench's database, in id order. */
export async function cohortPeople(databaseUrl: string): Promise<RegisteredPerson[]> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const r = await c.query<{ id: string; identity_hash: string }>(
      'SELECT id, identity_hash FROM people WHERE birth_date BETWEEN $1 AND $2 ORDER BY id',
      [DEMO_COHORT.bornFrom, DEMO_COHORT.bornTo],
    );
    return r.rows.map((row) => ({ id: Number(row.id), identityHash: row.identity_hash }));
  } finally {
    await c.end();
  }
}

/** Ids of the demo campaign's dose-1 slots (each has a dose-2 slot at the same facility). */
export async function dose1SlotIds(databaseUrl: string): Promise<number[]> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const r = await c.query<{ id: string }>(
      "SELECT id FROM slots WHERE campaign_id = 'demo' AND dose = 1 AND booked < capacity ORDER BY id",
    );
    return r.rows.map((row) => Number(row.id));
  } finally {
    await c.end();
  }
}

/** Signs identity sessions exactly as the service's identity service does after a verification. */
export async function mintSessions(signingSecret: string, people: readonly RegisteredPerson[]): Promise<string[]> {
  const signer = createTokenSigner<SessionClaims>(signingSecret, 'identity-session', systemClock);
  const out: string[] = [];
  for (const p of people) out.push((await signer.sign({ pid: p.id, ih: p.identityHash }, SESSION_TTL_MS)).token);
  return out;
}

/** The person id inside a session token (its payload, read without verifying: the bench made or got it). */
export function personIdOf(sessionToken: string): number {
  const payload = JSON.parse(Buffer.from(sessionToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    pid?: unknown;
  };
  if (typeof payload.pid !== 'number') throw new Error('session token without pid');
  return payload.pid;
}
