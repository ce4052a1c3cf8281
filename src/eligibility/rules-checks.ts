/**
 * The checks a JSON schema cannot express: real calendar dates, ordered ranges, overlapping or
 * uncovered cohorts, duplicate ids. They run on the raw input, field by field, so that one
 * malformed field does not hide the problems in the others. A field the schema already refuses
 * (wrong type or syntax) is skipped here, so each problem is reported once.
 */
import {
  INSTANT_SYNTAX,
  LOCAL_DATE_SYNTAX,
  epochDayOf,
  formatLocalDate,
  localDateOfEpochDay,
  parseInstant,
  parseLocalDate,
} from '../platform/calendar.ts';

/** One thing wrong with a campaign; `path` is a JSON pointer into the submitted document. */
export interface RuleProblem {
  readonly path: string;
  readonly message: string;
}

/** Inclusive range of epoch days. */
interface DayRange {
  readonly from: number;
  readonly to: number;
}

interface Item {
  readonly path: string;
  readonly record: Record<string, unknown>;
}

/** Text the schema's syntax accepts, so the schema stays silent about it. */
const DATE_SYNTAX = new RegExp(LOCAL_DATE_SYNTAX);
const INSTANT_SYNTAX_RE = new RegExp(INSTANT_SYNTAX);
const UNBOUNDED: DayRange = { from: -Infinity, to: Infinity };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function itemsAt(campaign: Record<string, unknown>, key: string): Item[] {
  const list = campaign[key];
  if (!Array.isArray(list)) return [];
  return list.flatMap((record, i) => (isRecord(record) ? [{ path: `/${key}/${i}`, record }] : []));
}

export function semanticProblems(input: unknown): RuleProblem[] {
  if (!isRecord(input)) return [];
  const cohorts = itemsAt(input, 'cohorts');
  const phases = itemsAt(input, 'phases');
  return [
    ...[...cohorts, ...phases].flatMap(dateProblems),
    ...phases.flatMap(windowProblems),
    ...duplicateIdProblems(cohorts, 'cohort'),
    ...duplicateIdProblems(phases, 'phase'),
    ...cohortOverlapProblems(cohorts),
    ...phaseOutsideCohortProblems(cohorts, phases),
    ...uncoveredCohortProblems(cohorts, phases),
  ];
}

/** Dates that look right but do not exist, and ranges that end before they start. */
function dateProblems({ path, record }: Item): RuleProblem[] {
  const problems: RuleProblem[] = [];
  for (const key of ['bornFrom', 'bornTo', 'firstDay']) {
    const text = record[key];
    if (typeof text === 'string' && DATE_SYNTAX.test(text) && !parseLocalDate(text)) {
      problems.push({ path: `${path}/${key}`, message: `${text} is not a calendar date` });
    }
  }
  const from = dayAt(record, 'bornFrom');
  const to = dayAt(record, 'bornTo');
  if (from !== undefined && to !== undefined && from > to) {
    problems.push({ path: `${path}/bornTo`, message: `must not be before bornFrom (${String(record['bornFrom'])})` });
  }
  return problems;
}

function windowProblems({ path, record }: Item): RuleProblem[] {
  if (record['kind'] !== 'window') return [];
  const problems: RuleProblem[] = [];
  const instants = ['opensAt', 'closesAt'].map((key) => {
    const text = record[key];
    const ms = typeof text === 'string' ? parseInstant(text) : undefined;
    if (typeof text === 'string' && ms === undefined && looksLikeInstant(text)) {
      problems.push({ path: `${path}/${key}`, message: `${text} is not a real date and time` });
    }
    return ms;
  });
  const [opensAtMs, closesAtMs] = instants;
  if (opensAtMs !== undefined && closesAtMs !== undefined && opensAtMs >= closesAtMs) {
    problems.push({ path: `${path}/closesAt`, message: 'must be after opensAt' });
  }
  return problems;
}

/** Syntax the schema accepts but parseInstant refuses: 2021-02-30T…, 25:00, +15:00. */
const looksLikeInstant = (text: string) => INSTANT_SYNTAX_RE.test(text);

function duplicateIdProblems(items: Item[], noun: string): RuleProblem[] {
  const firstPathById = new Map<string, string>();
  const problems: RuleProblem[] = [];
  for (const { path, record } of items) {
    const id = record['id'];
    if (typeof id !== 'string') continue;
    const first = firstPathById.get(id);
    if (first === undefined) firstPathById.set(id, path);
    else problems.push({ path: `${path}/id`, message: `duplicate ${noun} id '${id}' (also at ${first})` });
  }
  return problems;
}

function cohortOverlapProblems(cohorts: Item[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const ranges = cohorts.map((item) => ({ item, range: rangeOf(item.record, false) }));
  ranges.forEach(({ item, range }, j) => {
    for (const earlier of ranges.slice(0, j)) {
      const shared = range && earlier.range && intersect(range, earlier.range);
      if (!shared) continue;
      problems.push({
        path: item.path,
        message: `overlaps the cohort at ${earlier.item.path} for people born ${describeRange(shared)}`,
      });
    }
  });
  return problems;
}

function phaseOutsideCohortProblems(cohorts: Item[], phases: Item[]): RuleProblem[] {
  const cohortRanges = cohorts.map((c) => rangeOf(c.record, false));
  if (cohortRanges.length === 0 || cohortRanges.some((r) => r === undefined)) return [];
  return phases.flatMap(({ path, record }) => {
    const range = rangeOf(record, true);
    if (!range || cohortRanges.some((c) => c && intersect(c, range))) return [];
    return [{ path, message: `its birth range ${describeRange(range)} lies outside every cohort` }];
  });
}

/** People in a cohort whom no phase ever admits would be told "not eligible" forever. */
function uncoveredCohortProblems(cohorts: Item[], phases: Item[]): RuleProblem[] {
  const phaseRanges = phases.map((p) => rangeOf(p.record, true));
  if (phaseRanges.length === 0 || phaseRanges.some((r) => r === undefined)) return [];
  return cohorts.flatMap(({ path, record }) => {
    const range = rangeOf(record, false);
    if (!range) return [];
    return subtractAll(range, phaseRanges as DayRange[]).map((gap) => ({
      path,
      message: `people born ${describeRange(gap)} are admitted by no phase and could never book`,
    }));
  });
}

function dayAt(record: Record<string, unknown>, key: string): number | undefined {
  const text = record[key];
  const date = typeof text === 'string' ? parseLocalDate(text) : undefined;
  return date ? epochDayOf(date) : undefined;
}

/**
 * The birth range of a cohort (both ends required) or a phase (missing ends are unbounded);
 * undefined when an end is present but unreadable or the range is reversed.
 */
function rangeOf(record: Record<string, unknown>, endsOptional: boolean): DayRange | undefined {
  const from = record['bornFrom'] === undefined && endsOptional ? UNBOUNDED.from : dayAt(record, 'bornFrom');
  const to = record['bornTo'] === undefined && endsOptional ? UNBOUNDED.to : dayAt(record, 'bornTo');
  return from !== undefined && to !== undefined && from <= to ? { from, to } : undefined;
}

function intersect(a: DayRange, b: DayRange): DayRange | undefined {
  const from = Math.max(a.from, b.from);
  const to = Math.min(a.to, b.to);
  return from <= to ? { from, to } : undefined;
}

/** The parts of `range` that none of `covers` contains. */
function subtractAll(range: DayRange, covers: DayRange[]): DayRange[] {
  let gaps = [range];
  for (const cover of covers) {
    gaps = gaps.flatMap((gap) => {
      if (!intersect(gap, cover)) return [gap];
      const left = cover.from > gap.from ? [{ from: gap.from, to: cover.from - 1 }] : [];
      const right = cover.to < gap.to ? [{ from: cover.to + 1, to: gap.to }] : [];
      return [...left, ...right];
    });
  }
  return gaps;
}

function describeRange({ from, to }: DayRange): string {
  const end = (day: number) => (Number.isFinite(day) ? formatLocalDate(localDateOfEpochDay(day)) : '…');
  return `${end(from)}..${end(to)}`;
}
