/**
 * The impact of replacing a campaign's live rules by a new version, measured on the registered
 * population: who gains eligibility (no opening before, some now), who loses it, and whose
 * openings move, in counts by birth year and rotation digit (last digit of the day of birth),
 * with when their first opening was and will be, and sample birth dates to check by hand with
 * "when can I book?". Pure: rules and population counts come in as arguments.
 */
import { birthDayDigitOf, scheduleFor, type Opening } from './eligibility.ts';
import type { CampaignRules } from './rules.ts';

export type ImpactKind = 'gains' | 'loses' | 'moves';

export interface ImpactGroup {
  readonly kind: ImpactKind;
  readonly birthYear: number;
  /** Last digit of the day of birth (the rotation digit): 1 for the 1st, 11th, 21st, 31st. */
  readonly birthDayDigit: number;
  readonly people: number;
  /** First opening under the live rules / the new version (null: none). Epoch ms. */
  readonly firstOpensAtMsBefore: number | null;
  readonly firstOpensAtMsAfter: number | null;
  /** Up to three birth dates of this group, earliest first. */
  readonly sampleBirthDates: readonly string[];
}

export interface ImpactReport {
  readonly campaignId: string;
  readonly liveVersion: number | null;
  readonly newVersion: number;
  /** People in the population (the denominator of every count here). */
  readonly population: number;
  readonly totals: {
    readonly gains: number;
    readonly loses: number;
    readonly moves: number;
    readonly unchanged: number;
  };
  /** Sorted by kind (gains, loses, moves), then birth year, then digit, then first opening. */
  readonly groups: readonly ImpactGroup[];
}

const SAMPLES = 3;
const KIND_ORDER: Record<ImpactKind, number> = { gains: 0, loses: 1, moves: 2 };

const scheduleKey = (s: readonly Opening[]) => s.map((o) => `${o.opensAtMs}-${o.closesAtMs}`).join(',');

function kindOf(before: readonly Opening[], after: readonly Opening[]): ImpactKind | null {
  if (before.length === 0 && after.length > 0) return 'gains';
  if (before.length > 0 && after.length === 0) return 'loses';
  if (before.length > 0 && scheduleKey(before) !== scheduleKey(after)) return 'moves';
  return null;
}

/** `live` null: the campaign has never been live, so everyone the new version admits gains. */
export function impactOf(
  live: { rules: CampaignRules; version: number } | null,
  next: CampaignRules,
  countsByBirthDate: ReadonlyMap<string, number>,
): ImpactReport {
  const groups = new Map<
    string,
    { -readonly [K in keyof ImpactGroup]: ImpactGroup[K] } & { sampleBirthDates: string[] }
  >();
  const totals = { gains: 0, loses: 0, moves: 0, unchanged: 0 };
  let population = 0;
  for (const birthDate of [...countsByBirthDate.keys()].sort()) {
    const people = countsByBirthDate.get(birthDate) ?? 0;
    population += people;
    const before = live ? scheduleFor(live.rules, birthDate) : [];
    const after = scheduleFor(next, birthDate);
    const kind = kindOf(before, after);
    if (!kind) {
      totals.unchanged += people;
      continue;
    }
    totals[kind] += people;
    const group = {
      kind,
      birthYear: Number(birthDate.slice(0, 4)),
      birthDayDigit: birthDayDigitOf(birthDate),
      firstOpensAtMsBefore: before[0]?.opensAtMs ?? null,
      firstOpensAtMsAfter: after[0]?.opensAtMs ?? null,
    };
    const key = JSON.stringify(group);
    const found = groups.get(key) ?? { ...group, people: 0, sampleBirthDates: [] };
    found.people += people;
    if (found.sampleBirthDates.length < SAMPLES) found.sampleBirthDates.push(birthDate);
    groups.set(key, found);
  }
  const sorted = [...groups.values()].sort(
    (a, b) =>
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      a.birthYear - b.birthYear ||
      a.birthDayDigit - b.birthDayDigit ||
      (a.firstOpensAtMsAfter ?? 0) - (b.firstOpensAtMsAfter ?? 0),
  );
  return {
    campaignId: next.id,
    liveVersion: live?.version ?? null,
    newVersion: next.version,
    population,
    totals,
    groups: sorted,
  };
}
