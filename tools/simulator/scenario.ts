/**
 * Load scenarios as data (data/scenarios/<id>.json): who arrives, when, how they behave, what supply
 * and service limits they meet. A scenario is checked by {@link validateScenario} before anything
 * runs; every problem is listed at once (schema and sense), with a JSON-pointer path.
 *
 * Units are in the names (minutes, seconds, ms, per second). Shares are 0..1. Numbers that come
 * from the record cite domain-facts.md in `sources` (field path → citation); a citation for a path
 * that does not exist is itself a problem, so citations cannot drift from the fields they justify.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { err, ok, type Result } from '../../src/platform/result.ts';
import { LOCAL_DATE_SYNTAX } from '../../src/platform/calendar.ts';

const strict = { additionalProperties: false } as const;
const Share = Type.Number({ minimum: 0, maximum: 1 });
const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' });
const LocalDateText = Type.String({ pattern: LOCAL_DATE_SYNTAX });
const Positive = Type.Number({ exclusiveMinimum: 0 });
/** A log-normal duration given by its median and 90th percentile (p90 ≥ median). */
const LogNormal = Type.Object({ median: Positive, p90: Positive }, strict);
const Uniform = Type.Object({ min: Type.Number({ minimum: 0 }), max: Type.Number({ minimum: 0 }) }, strict);
const BirthRange = { bornFrom: LocalDateText, bornTo: LocalDateText };

/** Arrival density over minutes relative to the opening: uniform, or decaying with a half-life. */
export const CurveSegmentSchema = Type.Object(
  {
    fromMinutes: Type.Number(),
    toMinutes: Type.Number(),
    weight: Type.Number({ minimum: 0 }),
    halfLifeMinutes: Type.Optional(Positive),
  },
  strict,
);

export const ScenarioSchema = Type.Object(
  {
    id: Id,
    title: Type.String({ minLength: 1 }),
    description: Type.String({ minLength: 1 }),
    /** Field path (e.g. "cohort.eligible") → where its number comes from. */
    sources: Type.Record(Type.String(), Type.String({ minLength: 1 })),
    /** A campaign in data/campaigns/ whose first opening is the night replayed. */
    campaignId: Id,
    seed: Type.Integer(),
    simulation: Type.Object(
      {
        startMinutesBeforeOpening: Type.Number({ minimum: 0, maximum: 24 * 60 }),
        minutesAfterOpening: Type.Number({ exclusiveMinimum: 0, maximum: 48 * 60 }),
        /** 1 in N people have every poll run through the real pollStatus (see README). */
        pollSampleEvery: Type.Integer({ minimum: 1 }),
      },
      strict,
    ),
    cohort: Type.Object(
      {
        eligible: Type.Integer({ minimum: 1 }),
        ...BirthRange,
        /** Rotation day: only these day-of-month digits are eligible tonight. */
        birthDayDigits: Type.Optional(
          Type.Array(Type.Integer({ minimum: 0, maximum: 9 }), { minItems: 1, maxItems: 10 }),
        ),
        /** Share of the eligible who try tonight, themselves or through a proxy. */
        showUpShare: Share,
      },
      strict,
    ),
    proxies: Type.Object(
      {
        /** Share of show-ups booked by a child instead (the child queues with their own identity). */
        share: Share,
        ...BirthRange,
        /** Share of proxied parents who also try themselves (one of the two must be refused). */
        parentAlsoTriesShare: Share,
      },
      strict,
    ),
    outsiders: Type.Object(
      {
        /** People who try although they may not book tonight, as a share of the eligible. */
        share: Share,
        ...BirthRange,
        /** true: outsiders are cohort members of other rotation digits (the wrong day). */
        isWrongDay: Type.Boolean(),
      },
      strict,
    ),
    arrivals: Type.Object(
      {
        curve: Type.Array(CurveSegmentSchema, { minItems: 1 }),
        /** Same-device re-joins (page reloads) per show-up, mean; gaps are exponential. */
        reloads: Type.Object({ mean: Type.Number({ minimum: 0, maximum: 50 }), meanGapSeconds: Positive }, strict),
        /** Share of show-ups that also try from 1..max other devices (refused: first device wins). */
        extraDevices: Type.Object({ share: Share, max: Type.Integer({ minimum: 1, maximum: 5 }) }, strict),
        /** What the record says arrived, for comparison with the simulated total (not an input). */
        recordedTotal: Type.Integer({ minimum: 0 }),
      },
      strict,
    ),
    bots: Type.Object(
      {
        /** Share of show-ups whose client is a script. */
        share: Share,
        arrival: Type.Array(CurveSegmentSchema, { minItems: 1 }),
        pollEveryMs: Type.Integer({ minimum: 100 }),
        extraDevices: Type.Integer({ minimum: 0, maximum: 10 }),
        thinkSeconds: LogNormal,
      },
      strict,
    ),
    waiting: Type.Object(
      {
        /** How long a person waits (from arrival) before giving up. */
        patienceMinutes: LogNormal,
        comeBackShare: Share,
        comeBackAfterMinutes: Uniform,
      },
      strict,
    ),
    session: Type.Object(
      {
        thinkSeconds: Type.Object({ eligibility: LogNormal, search: LogNormal, book: LogNormal }, strict),
        /** A person picks at random among the first N slots the search shows. */
        slotChoices: Type.Integer({ minimum: 1, maximum: 50 }),
        /** Booking attempts (search + book) before giving up on a full slot. */
        maxAttempts: Type.Integer({ minimum: 1, maximum: 20 }),
      },
      strict,
    ),
    supply: Type.Object(
      {
        facilities: Type.Integer({ minimum: 1, maximum: 100_000 }),
        firstDateDaysAfterOpening: Type.Integer({ minimum: 1, maximum: 60 }),
        days: Type.Integer({ minimum: 1, maximum: 60 }),
        capacityPerFacilityDay: Type.Integer({ minimum: 1 }),
        vaccines: Type.Array(Type.Union([Type.Literal('pfizer'), Type.Literal('moderna')]), { minItems: 1 }),
        /** Split each facility-day across the ten rotation digits (18-49 round). */
        rotationQuota: Type.Boolean(),
      },
      strict,
    ),
    service: Type.Object(
      {
        partitions: Type.Integer({ minimum: 1, maximum: 1024 }),
        admissionInitialRatePerSec: Type.Integer({ minimum: 1 }),
        admissionMaxRatePerSec: Type.Integer({ minimum: 1 }),
        /** The admission rate the operator planned (admission settings): ETAs start from it. */
        admissionPlannedRatePerSec: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
        activeSessionCap: Type.Integer({ minimum: 1 }),
        admissionTickMs: Type.Integer({ minimum: 50, maximum: 2_000 }),
      },
      strict,
    ),
    notes: Type.Array(Type.String()),
  },
  strict,
);

export type Scenario = Static<typeof ScenarioSchema>;
export type CurveSegment = Static<typeof CurveSegmentSchema>;
export type LogNormalSpec = Static<typeof LogNormal>;
export interface ScenarioProblem {
  path: string;
  message: string;
}

export const SCENARIOS_DIR = fileURLToPath(new URL('../../data/scenarios/', import.meta.url));

/** The scenario, or every problem with it. */
export function validateScenario(input: unknown): Result<Scenario, 'invalid-scenario'> {
  const problems: ScenarioProblem[] = [...Value.Errors(ScenarioSchema, input)].map((e) => ({
    path: e.path,
    message: e.message,
  }));
  if (problems.length === 0) problems.push(...senseProblems(input as Scenario));
  return problems.length > 0 ? err('invalid-scenario', { problems }) : ok(input as Scenario);
}

function senseProblems(s: Scenario): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  const bad = (path: string, message: string) => out.push({ path, message });
  const checkRange = (path: string, r: { bornFrom: string; bornTo: string }) => {
    if (r.bornFrom > r.bornTo) bad(`${path}/bornTo`, 'must not be before bornFrom');
  };
  checkRange('/cohort', s.cohort);
  checkRange('/proxies', s.proxies);
  checkRange('/outsiders', s.outsiders);
  if (overlaps(s.proxies, s.cohort))
    bad('/proxies', 'birth range must not overlap the cohort (children book for parents)');
  if (!s.outsiders.isWrongDay && overlaps(s.outsiders, s.cohort))
    bad('/outsiders', 'birth range must not overlap the cohort unless isWrongDay');
  if (s.outsiders.isWrongDay && !s.cohort.birthDayDigits)
    bad('/outsiders/isWrongDay', 'needs cohort.birthDayDigits (a rotation day)');
  if (s.outsiders.share > 0 && !s.outsiders.isWrongDay && overlaps(s.outsiders, s.proxies))
    bad('/outsiders', 'birth range must not overlap the proxies');
  checkCurve('/arrivals/curve', s.arrivals.curve, bad);
  checkCurve('/bots/arrival', s.bots.arrival, bad);
  for (const [path, d] of [
    ['/waiting/patienceMinutes', s.waiting.patienceMinutes],
    ['/bots/thinkSeconds', s.bots.thinkSeconds],
    ...Object.entries(s.session.thinkSeconds).map(([k, v]) => [`/session/thinkSeconds/${k}`, v] as const),
  ] as const) {
    if (d.p90 < d.median) bad(`${path}/p90`, 'must be at least the median');
  }
  if (s.waiting.comeBackAfterMinutes.max < s.waiting.comeBackAfterMinutes.min)
    bad('/waiting/comeBackAfterMinutes/max', 'must be at least min');
  if (s.service.admissionInitialRatePerSec > s.service.admissionMaxRatePerSec)
    bad('/service/admissionInitialRatePerSec', 'must not exceed admissionMaxRatePerSec');
  const lastArrival = Math.max(...s.arrivals.curve.map((c) => c.toMinutes), ...s.bots.arrival.map((c) => c.toMinutes));
  if (lastArrival > s.simulation.minutesAfterOpening)
    bad('/simulation/minutesAfterOpening', `must cover the last arrival (${lastArrival} min)`);
  const firstArrival = Math.min(
    ...s.arrivals.curve.map((c) => c.fromMinutes),
    ...s.bots.arrival.map((c) => c.fromMinutes),
  );
  if (-firstArrival > s.simulation.startMinutesBeforeOpening)
    bad('/simulation/startMinutesBeforeOpening', `must cover the first arrival (${firstArrival} min)`);
  for (const path of Object.keys(s.sources)) {
    if (!hasPath(s, path)) bad(`/sources/${path}`, 'cites a field that does not exist');
  }
  return out;
}

function checkCurve(path: string, curve: readonly CurveSegment[], bad: (p: string, m: string) => void) {
  curve.forEach((c, i) => {
    if (c.toMinutes <= c.fromMinutes) bad(`${path}/${i}/toMinutes`, 'must be after fromMinutes');
  });
  if (curve.every((c) => c.weight === 0)) bad(path, 'needs a segment with positive weight');
}

const overlaps = (a: { bornFrom: string; bornTo: string }, b: { bornFrom: string; bornTo: string }) =>
  a.bornFrom <= b.bornTo && b.bornFrom <= a.bornTo;

function hasPath(root: unknown, dotted: string): boolean {
  let node: unknown = root;
  for (const part of dotted.split('.')) {
    if (typeof node !== 'object' || node === null || !(part in node)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return true;
}

/** Scenario ids available in `dir` (file names without .json). */
export function listScenarios(dir = SCENARIOS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Reads and validates `<dir>/<id>.json`; throws listing every problem. */
export function loadScenario(id: string, dir = SCENARIOS_DIR): Scenario {
  const known = listScenarios(dir);
  if (!known.includes(id)) throw new Error(`unknown scenario '${id}'; known: ${known.join(', ')}`);
  const raw: unknown = JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8'));
  const r = validateScenario(raw);
  if (!r.ok) {
    const problems = (r.detail?.problems as ScenarioProblem[]).map(
      (p) => `  - ${p.path || '(document)'}: ${p.message}`,
    );
    throw new Error(`invalid scenario ${id}.json:\n${problems.join('\n')}`);
  }
  if (r.value.id !== id) throw new Error(`invalid scenario ${id}.json:\n  - /id: must match the file name`);
  return r.value;
}
