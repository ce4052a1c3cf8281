/**
 * Builds a run's crowd: draws the plan from the scenario's seed (who comes, proxies, bots, when,
 * how often they reload, how patient they are), generates the matching synthetic people with
 * src/people's generator and registers them in the person registry exactly as
 * register-population.ts does (RRN parsed, keyed-hashed, dropped; only the hash is stored).
 *
 * Index layout: [0, E) the eligible cohort, [E, E+P) children booking for a parent, then outsiders.
 * Birth ranges of the three groups are disjoint (the scenario validator checks), except wrong-day
 * outsiders, who come from the cohort's own stream, so no two people share an RRN.
 */
import type { Db } from '../../src/platform/db.ts';
import { identityHashOf } from '../../src/identity/identity-hash.ts';
import { generatePopulation, type SyntheticPerson } from '../../src/synthetic/population.ts';
import { expectedDayDigitShares } from '../../src/synthetic/birth-dates.ts';
import { createPrng, deriveSeed, type Prng } from '../../src/synthetic/prng.ts';
import { parseRrn } from '../../src/people/rrn.ts';
import { Crowd, Kind } from './crowd.ts';
import { createCurveSampler, logNormal, poisson } from './distributions.ts';
import type { Scenario } from './scenario.ts';

const BATCH = 5_000;
const MINUTE_MS = 60_000;

export interface CrowdCounts {
  eligible: number;
  showUps: number;
  proxies: number;
  parentsAlsoTrying: number;
  bots: number;
  outsiders: number;
  people: number;
}

interface Draft {
  eligible: number;
  outsiders: number;
  proxiedParents: number[];
  /** Per cohort member: shows up tonight, is booked by a child, also tries themselves, uses a script. */
  showsUp: Uint8Array;
  isProxied: Uint8Array;
  parentTries: Uint8Array;
  isBot: Uint8Array;
}

/** Who comes and in what role: one pass over the cohort with the 'plan' stream. */
function draftPlan(s: Scenario, eligible: number, rng: Prng): Draft {
  const showsUp = new Uint8Array(eligible),
    isProxied = new Uint8Array(eligible);
  const parentTries = new Uint8Array(eligible),
    isBot = new Uint8Array(eligible);
  const proxiedParents: number[] = [];
  for (let i = 0; i < eligible; i += 1) {
    if (rng.nextFloat() >= s.cohort.showUpShare) continue;
    showsUp[i] = 1;
    const proxied = rng.nextFloat() < s.proxies.share;
    if (proxied) {
      proxiedParents.push(i);
      isProxied[i] = 1;
    }
    const comesSelf = !proxied || rng.nextFloat() < s.proxies.parentAlsoTriesShare;
    if (proxied && comesSelf) parentTries[i] = 1;
    if (comesSelf && rng.nextFloat() < s.bots.share) isBot[i] = 1;
  }
  return {
    eligible,
    outsiders: Math.round(eligible * s.outsiders.share),
    proxiedParents,
    showsUp,
    isProxied,
    parentTries,
    isBot,
  };
}

/** Arrival, reloads, extra devices and patience for person i (who comes). */
function planBehaviour(
  crowd: Crowd,
  i: number,
  s: Scenario,
  opensAtMs: number,
  rng: Prng,
  samplers: { human: (r: Prng) => number; bot: (r: Prng) => number },
) {
  if (crowd.kind[i] === Kind.bot) {
    crowd.arriveAtMs[i] = opensAtMs + samplers.bot(rng) * MINUTE_MS;
    crowd.extraDevices[i] = s.bots.extraDevices;
    return;
  }
  crowd.arriveAtMs[i] = opensAtMs + samplers.human(rng) * MINUTE_MS;
  crowd.reloadsLeft[i] = Math.min(255, poisson(s.arrivals.reloads.mean, rng));
  if (rng.nextFloat() < s.arrivals.extraDevices.share)
    crowd.extraDevices[i] = 1 + rng.nextInt(s.arrivals.extraDevices.max);
  crowd.patienceMs[i] = logNormal(s.waiting.patienceMinutes, rng) * MINUTE_MS;
}

export interface RegisterOptions {
  db: Db;
  hmacKey: string;
  scenario: Scenario;
  scale: number;
  opensAtMs: number;
  /** Keep everyone's RRN and name in memory (live mode verifies identities over HTTP). */
  keepCredentials?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** Draws the plan, registers everyone and returns the crowd with their registry ids. */
export async function buildCrowd(o: RegisterOptions): Promise<{ crowd: Crowd; counts: CrowdCounts }> {
  const s = o.scenario;
  const rng = createPrng(deriveSeed(s.seed, 'plan'));
  const draft = draftPlan(s, Math.max(1, Math.round(s.cohort.eligible * o.scale)), rng);
  const E = draft.eligible,
    P = draft.proxiedParents.length,
    O = draft.outsiders;
  const crowd = new Crowd(E + P + O);
  const writer = createRegistryWriter(o, crowd, E + P + O);
  await registerCohort(s, crowd, draft, writer);
  const children = generatePopulation({
    size: P,
    seed: deriveSeed(s.seed, 'children'),
    bornFrom: s.proxies.bornFrom,
    bornTo: s.proxies.bornTo,
  });
  let j = 0;
  for (const child of children) {
    const i = E + j,
      parent = draft.proxiedParents[j++]!;
    crowd.kind[i] = Kind.proxy;
    crowd.target[i] = parent;
    crowd.digit[i] = crowd.digit[parent]!;
    await writer.add(i, child, crowd.districtCode[parent]!, crowd.regionCode[parent]!);
  }
  if (!s.outsiders.isWrongDay) {
    let k = 0;
    for (const p of generatePopulation({
      size: O,
      seed: deriveSeed(s.seed, 'outsiders'),
      bornFrom: s.outsiders.bornFrom,
      bornTo: s.outsiders.bornTo,
    })) {
      await writer.add(E + P + k++, p);
    }
  }
  await writer.flush();
  const samplers = { human: createCurveSampler(s.arrivals.curve), bot: createCurveSampler(s.bots.arrival) };
  const behaviour = createPrng(deriveSeed(s.seed, 'behaviour'));
  for (let i = 0; i < crowd.size; i += 1) {
    if (i < E && !(draft.showsUp[i] && (!draft.isProxied[i] || draft.parentTries[i]))) continue;
    if (i >= E + P) crowd.kind[i] = Kind.outsider;
    else if (i < E && draft.isBot[i]) crowd.kind[i] = Kind.bot;
    planBehaviour(crowd, i, s, o.opensAtMs, behaviour, samplers);
  }
  const bots = draft.isBot.reduce((n, b) => n + b, 0);
  const showUps = draft.showsUp.reduce((n, b) => n + b, 0);
  const parentsAlsoTrying = draft.parentTries.reduce((n, b) => n + b, 0);
  return {
    crowd,
    counts: { eligible: E, showUps, proxies: P, parentsAlsoTrying, bots, outsiders: O, people: crowd.size },
  };
}

/** The cohort stream: eligible people (and, on a rotation day, wrong-day outsiders from the same stream). */
async function registerCohort(s: Scenario, crowd: Crowd, d: Draft, writer: RegistryWriter) {
  const digits = s.cohort.birthDayDigits ? new Set(s.cohort.birthDayDigits) : null;
  const wrongDay = s.outsiders.isWrongDay ? d.outsiders : 0;
  let size = d.eligible;
  if (digits) {
    const shares = expectedDayDigitShares({ bornFrom: s.cohort.bornFrom, bornTo: s.cohort.bornTo });
    const inShare = [...digits].reduce((n, g) => n + shares[g]!, 0);
    size = Math.ceil((d.eligible / inShare + wrongDay / Math.max(1e-9, 1 - inShare)) * 1.1) + 1_000;
  }
  const firstOutsider = d.eligible + d.proxiedParents.length;
  let eligible = 0,
    outsiders = 0;
  for (const p of generatePopulation({
    size,
    seed: deriveSeed(s.seed, 'cohort'),
    bornFrom: s.cohort.bornFrom,
    bornTo: s.cohort.bornTo,
  })) {
    const digit = Number(p.birthDate.slice(8, 10)) % 10;
    if (!digits || digits.has(digit)) {
      if (eligible >= d.eligible) {
        if (outsiders >= wrongDay) break;
        continue;
      }
      const i = eligible++;
      crowd.digit[i] = digit;
      if (d.isProxied[i]) crowd.proxyTargets.set(i, { rrn: p.rrn, name: p.name });
      await writer.add(i, p);
    } else if (outsiders < wrongDay) {
      const i = firstOutsider + outsiders++;
      crowd.digit[i] = digit;
      await writer.add(i, p);
    }
    if (eligible >= d.eligible && outsiders >= wrongDay) break;
  }
  if (eligible < d.eligible || outsiders < wrongDay)
    throw new Error(`cohort stream ran out: ${eligible}/${d.eligible} eligible, ${outsiders}/${wrongDay} wrong-day`);
}

interface RegistryWriter {
  add(i: number, p: SyntheticPerson, district?: string, region?: string): Promise<void>;
  flush(): Promise<void>;
}

/** Inserts people in batches and records each one's registry id and identity hash in the crowd. */
function createRegistryWriter(o: RegisterOptions, crowd: Crowd, total: number): RegistryWriter {
  let rows: { identity_hash: string; birth_date: string; name: string; phone: string; region_code: string }[] = [];
  let indexes: number[] = [];
  let done = 0;
  const flush = async () => {
    if (rows.length === 0) return;
    const inserted = await o.db.insertInto('people').values(rows).returning(['id', 'identity_hash']).execute();
    const ids = new Map(inserted.map((r) => [r.identity_hash, r.id]));
    indexes.forEach((i) => {
      const id = ids.get(crowd.identityHash[i]!);
      if (id === undefined) throw new Error('a generated person was not registered (duplicate identity)');
      crowd.personId[i] = id;
    });
    done += rows.length;
    rows = [];
    indexes = [];
    o.onProgress?.(done, total);
  };
  return {
    async add(i, p, district = p.districtCode, region = p.regionCode) {
      const parsed = parseRrn(p.rrn);
      if (!parsed.ok) throw new Error('population generator produced an invalid RRN');
      const hash = identityHashOf(o.hmacKey, parsed.value.normalized);
      crowd.identityHash[i] = hash;
      if (o.keepCredentials) crowd.credentials.set(i, { rrn: p.rrn, name: p.name });
      crowd.districtCode[i] = district;
      crowd.regionCode[i] = region;
      rows.push({
        identity_hash: hash,
        birth_date: p.birthDate,
        name: p.name,
        phone: p.phone,
        region_code: p.regionCode,
      });
      indexes.push(i);
      if (rows.length >= BATCH) await flush();
    },
    flush,
  };
}

/** How many join requests the plan implies (first joins, reloads, other devices), before behaviour. */
export function plannedJoins(crowd: Crowd): number {
  let n = 0;
  for (let i = 0; i < crowd.size; i += 1) if (crowd.comes(i)) n += 1 + crowd.reloadsLeft[i]! + crowd.extraDevices[i]!;
  return n;
}
