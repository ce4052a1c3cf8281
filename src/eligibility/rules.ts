/**
 * Campaign rules as data: who may book in a vaccination round, and when.
 *
 * In July 2021 each round's schedule was edited into code by hand, and one such edit read the
 * current time wrongly: eligible 53-54 year olds were told "not eligible" for hours. Here a round
 * is a JSON document checked by {@link validateCampaignRules} before anything runs on it; the
 * engine in eligibility.ts is the same code for every round.
 *
 * Conventions:
 * - Birth dates are Seoul calendar dates `YYYY-MM-DD`; ranges are inclusive at both ends.
 * - Window instants are ISO 8601 with an explicit offset (`2021-07-19T20:00:00+09:00`); a window
 *   is half-open: open at `opensAt`, already closed at `closesAt`.
 * - Rotation times are Seoul wall-clock `HH:MM` (Asia/Seoul has no DST since 1988).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { err, ok, type Result } from '../platform/result.ts';
import { INSTANT_SYNTAX, LOCAL_DATE_SYNTAX, LOCAL_TIME_SYNTAX } from '../platform/calendar.ts';
import { semanticProblems, type RuleProblem } from './rules-checks.ts';

export type { RuleProblem } from './rules-checks.ts';

const strict = { additionalProperties: false } as const;

/**
 * Free text in rules: no control characters. None belongs on a citizen's screen, and Postgres
 * text and jsonb cannot hold NUL (a rule carrying one failed on save instead of being refused).
 */
const TextSchema = Type.String({
  pattern: '^[^\\u0000-\\u001f\\u007f]*$',
  description: 'text without control characters',
});

/** Text shown to citizens, in Korean and English. */
export const LocalizedTextSchema = Type.Object(
  { ko: Type.String({ ...TextSchema, minLength: 1 }), en: Type.String({ ...TextSchema, minLength: 1 }) },
  strict,
);

const IdSchema = Type.String({
  pattern: '^[a-z0-9][a-z0-9-]{0,63}$',
  description: 'an id of 1-64 lowercase letters, digits and hyphens',
});

const CalendarDateSchema = Type.String({
  pattern: LOCAL_DATE_SYNTAX,
  description: 'a calendar date YYYY-MM-DD',
});

const InstantSchema = Type.String({
  pattern: INSTANT_SYNTAX,
  description: 'an ISO 8601 instant with an explicit offset, e.g. 2021-07-19T20:00:00+09:00',
});

const LocalTimeSchema = Type.String({
  pattern: LOCAL_TIME_SYNTAX,
  description: 'a Seoul wall-clock time HH:MM between 00:00 and 23:59',
});

/** `mrna` means "Pfizer or Moderna, whichever the facility has", as in the 2021 rounds from late July. */
export const VaccineCodeSchema = Type.Union([
  Type.Literal('pfizer'),
  Type.Literal('moderna'),
  Type.Literal('mrna'),
  Type.Literal('astrazeneca'),
  Type.Literal('janssen'),
  Type.Literal('novavax'),
]);

export const VaccineSchema = Type.Object(
  {
    code: VaccineCodeSchema,
    name: LocalizedTextSchema,
    /** Days from dose 1 to the automatically booked dose 2 (KDCA: 28 in July 2021, 42 in August). */
    doseIntervalDays: Type.Integer({ minimum: 14, maximum: 120 }),
  },
  strict,
);

/** The people a round is for: an inclusive birth-date range and the vaccine they get. */
export const CohortSchema = Type.Object(
  { id: IdSchema, bornFrom: CalendarDateSchema, bornTo: CalendarDateSchema, vaccine: VaccineSchema },
  strict,
);

/** Optional narrowing of a phase to part of the cohorts (e.g. the 36-49 catch-up day). */
const birthRange = {
  bornFrom: Type.Optional(CalendarDateSchema),
  bornTo: Type.Optional(CalendarDateSchema),
};

/** One booking window [opensAt, closesAt) for everyone in range. */
export const WindowPhaseSchema = Type.Object(
  {
    kind: Type.Literal('window'),
    id: IdSchema,
    label: LocalizedTextSchema,
    opensAt: InstantSchema,
    closesAt: InstantSchema,
    ...birthRange,
  },
  strict,
);

/**
 * The 10-day rotation (10부제). On rotation day i (Seoul date firstDay + i, i in 0..days-1),
 * people whose day of birth ends in digit (firstDigit + i) mod 10 may book from `opensAtLocal`
 * that date until `closesAtLocalNextDay` on the next date. Day 10, 20, 30 → 0; 31 → 1; 29 Feb → 9.
 */
export const RotationPhaseSchema = Type.Object(
  {
    kind: Type.Literal('rotation'),
    id: IdSchema,
    label: LocalizedTextSchema,
    firstDay: CalendarDateSchema,
    days: Type.Integer({ minimum: 1, maximum: 31 }),
    firstDigit: Type.Integer({ minimum: 0, maximum: 9 }),
    opensAtLocal: LocalTimeSchema,
    closesAtLocalNextDay: LocalTimeSchema,
    ...birthRange,
  },
  strict,
);

export const PhaseSchema = Type.Union([WindowPhaseSchema, RotationPhaseSchema]);

export const TurnNoticeSchema = Type.Object(
  { enabled: Type.Boolean(), leadMinutes: Type.Integer({ minimum: 1, maximum: 60 }) },
  strict,
);

/** A whole round. `version` rises with every edit, so a decision can name the rules it used. */
export const CampaignRulesSchema = Type.Object(
  {
    id: IdSchema,
    version: Type.Integer({ minimum: 1 }),
    name: LocalizedTextSchema,
    timeZone: Type.Literal('Asia/Seoul'),
    proxyBooking: Type.Union([Type.Literal('allowed'), Type.Literal('banned')]),
    cohorts: Type.Array(CohortSchema, { minItems: 1 }),
    phases: Type.Array(PhaseSchema, { minItems: 1 }),
    /** Sources and assumptions, for people; the engine ignores them. */
    notes: Type.Optional(Type.Array(TextSchema)),
    /**
     * "Text me when it is my turn" (issue 14): people waiting may ask for a message when their ETA
     * is within `leadMinutes`. Absent or `enabled: false`: not offered.
     */
    turnNotice: Type.Optional(TurnNoticeSchema),
  },
  strict,
);

export type LocalizedText = Static<typeof LocalizedTextSchema>;
export type VaccineCode = Static<typeof VaccineCodeSchema>;
export type Vaccine = Static<typeof VaccineSchema>;
export type Cohort = Static<typeof CohortSchema>;
export type WindowPhase = Static<typeof WindowPhaseSchema>;
export type RotationPhase = Static<typeof RotationPhaseSchema>;
export type Phase = Static<typeof PhaseSchema>;
export type CampaignRules = Static<typeof CampaignRulesSchema>;

/**
 * Accepts rules only when they are well-formed AND make sense; otherwise `detail.problems` lists
 * every problem found (`{ path, message }`, path a JSON pointer), schema and semantic alike, so an
 * operator fixes a campaign in one pass. The accepted value is a deep-frozen copy.
 */
export function validateCampaignRules(input: unknown): Result<CampaignRules, 'invalid-rules'> {
  const problems: RuleProblem[] = [
    ...withoutEchoesOfMissing([...schemaProblems(Value.Errors(CampaignRulesSchema, input))]),
    ...semanticProblems(input),
  ];
  if (problems.length > 0) return err('invalid-rules', { problems });
  return ok(deepFreeze(structuredClone(input) as CampaignRules));
}

/** A missing property also fails its type check; report it once, as missing. */
function withoutEchoesOfMissing(problems: RuleProblem[]): RuleProblem[] {
  const missing = new Set(problems.filter((p) => p.message === IS_REQUIRED).map((p) => p.path));
  return problems.filter((p) => p.message === IS_REQUIRED || !missing.has(p.path));
}

const IS_REQUIRED = 'is required';

function* schemaProblems(errors: Iterable<ValueError>): Generator<RuleProblem> {
  for (const error of errors) {
    if (error.type === ValueErrorType.Union) yield* unionProblems(error);
    else yield { path: error.path, message: messageFor(error) };
  }
}

/** A union's errors are reported for the variant the value chose (by `kind`), not for all. */
function* unionProblems(error: ValueError): Generator<RuleProblem> {
  const variants = (error.schema as unknown as { anyOf: TSchema[] }).anyOf;
  const constants = variants.map((variant) => variant['const'] as unknown);
  if (constants.every((c) => c !== undefined)) {
    yield { path: error.path, message: `must be one of ${constants.map((c) => `'${String(c)}'`).join(', ')}` };
    return;
  }
  const value = error.value;
  if (typeof value !== 'object' || value === null) {
    yield { path: error.path, message: 'must be an object' };
    return;
  }
  const kind = (value as { kind?: unknown }).kind;
  const kinds = variants.map((variant) => variant['properties']?.kind?.const as string);
  const chosen = kinds.indexOf(kind as string);
  const chosenErrors = error.errors[chosen];
  if (chosen < 0 || chosenErrors === undefined) {
    yield { path: `${error.path}/kind`, message: `must be one of ${kinds.map((k) => `'${k}'`).join(', ')}` };
    return;
  }
  yield* schemaProblems(chosenErrors);
}

function messageFor(error: ValueError): string {
  const description = error.schema['description'] as string | undefined;
  switch (error.type) {
    case ValueErrorType.StringPattern:
      return description ? `must be ${description}` : error.message;
    case ValueErrorType.Literal:
      return `must be '${String(error.schema['const'])}'`;
    case ValueErrorType.ObjectRequiredProperty:
      return IS_REQUIRED;
    case ValueErrorType.IntegerMinimum:
      return `must be at least ${String(error.schema['minimum'])}`;
    case ValueErrorType.IntegerMaximum:
      return `must be at most ${String(error.schema['maximum'])}`;
    case ValueErrorType.ArrayMinItems:
      return `must have at least ${String(error.schema['minItems'])} item(s)`;
    case ValueErrorType.Object:
      return 'must be an object';
    case ValueErrorType.ObjectAdditionalProperties:
      return 'is not a known property (check its spelling)';
    default:
      return error.message;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
