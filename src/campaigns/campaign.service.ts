/**
 * Campaign rules as data: every save is validated (all problems listed), stored as a new
 * immutable version, and only a validated version can be made live. No per-round code: a new
 * round is a new JSON document, previewed before it goes live.
 */
import type { Clock } from '../platform/clock.ts';
import { err, ok, type Result } from '../platform/result.ts';
import { validateCampaignRules, type CampaignRules } from '../eligibility/rules.ts';
import { previewAt, scheduleFor, type CampaignPreview } from '../eligibility/eligibility.ts';
import { localizeRuleProblems } from '../eligibility/rule-problem-text.ts';
import type { RuleProblem } from '../eligibility/rules-checks.ts';
import type { ReviewStore } from './review.ts';

/** Where campaign versions and their reviews are kept (campaign.repository.ts over Kysely). */
export interface CampaignStore extends ReviewStore {
  /** Every campaign's live version (the set citizens are served). */
  listLive(): Promise<StoredCampaign[]>;
  listVersions(id: string): Promise<StoredCampaign[]>;
  /** Every campaign with its live and latest version and the latest rules (the operator's editor). */
  listForEditor(): Promise<EditorCampaign[]>;
  latestVersionNumber(id: string): Promise<number>;
  /**
   * Stores `rules` as its campaign's next version, atomically; false if `rules.version` is not the
   * next one. With `makeLive` it goes live without review: only for seeding a fresh database and the
   * simulator, never reachable from the console (its saves go through submitForReview).
   */
  saveNextVersion(rules: CampaignRules, actor: string, makeLive: boolean): Promise<boolean>;
}

export interface StoredCampaign {
  id: string;
  version: number;
  rules: unknown;
  isLive: boolean;
}

export interface EditorCampaign {
  id: string;
  liveVersion: number | null;
  latestVersion: number;
  rules: unknown;
}

export interface CampaignServiceDeps {
  store: CampaignStore;
  clock: Clock;
  countsByBirthDate(): Promise<ReadonlyMap<string, number>>;
  /** How long a process may serve a live campaign from memory before re-reading it. */
  cacheTtlMs?: number;
}

export interface LiveCampaign {
  rules: CampaignRules;
  version: number;
}

/** Validates rules; the problems, if any, carry Korean and English words and a label for their place. */
export function validateForOperator(input: unknown): Result<CampaignRules, 'invalid-rules'> {
  const valid = validateCampaignRules(input);
  if (valid.ok) return valid;
  return err('invalid-rules', {
    problems: localizeRuleProblems((valid.detail?.['problems'] ?? []) as RuleProblem[], input),
  });
}

export function createCampaignService(deps: CampaignServiceDeps) {
  const ttl = deps.cacheTtlMs ?? 2_000;
  let cache: { atMs: number; byId: Map<string, LiveCampaign> } | undefined;
  // One reload at a time: the requests that find the cache expired share it (each used to read and
  // validate the live set itself, every request of the round trip's length every 2 s).
  let reloading: Promise<Map<string, LiveCampaign>> | undefined;
  let generation = 0;

  async function reload(now: number): Promise<Map<string, LiveCampaign>> {
    const started = generation;
    const rows = await deps.store.listLive();
    const byId = new Map<string, LiveCampaign>();
    for (const row of rows) {
      // A version never changes once stored: one already validated is kept as it was.
      const known = cache?.byId.get(row.id);
      if (known && known.version === row.version) {
        byId.set(row.id, known);
        continue;
      }
      const valid = validateCampaignRules(row.rules);
      // A stored live version was validated when saved; if it no longer validates, refuse to serve it.
      if (valid.ok) byId.set(row.id, { rules: valid.value, version: row.version });
    }
    // A read begun before a publication answers its own callers but is not kept.
    if (started === generation) cache = { atMs: now, byId };
    return byId;
  }

  /** A version was just published: the next request reads again (not a reload begun before). */
  function forget() {
    cache = undefined;
    reloading = undefined;
    generation += 1;
  }

  async function liveCampaigns(): Promise<Map<string, LiveCampaign>> {
    const now = deps.clock.nowMs();
    if (cache && now - cache.atMs < ttl) return cache.byId;
    reloading ??= reload(now).finally(() => {
      reloading = undefined;
    });
    return reloading;
  }

  async function liveCampaign(id: string): Promise<LiveCampaign | undefined> {
    return (await liveCampaigns()).get(id);
  }

  /** Validates and stores `input` as a new version (its `version` must be the next one); optionally makes it live. */
  async function saveVersion(
    input: unknown,
    actor: string,
    makeLive: boolean,
  ): Promise<Result<LiveCampaign, 'invalid-rules'>> {
    const valid = validateForOperator(input);
    if (!valid.ok) return valid;
    const rules = valid.value;
    if (!(await deps.store.saveNextVersion(rules, actor, makeLive))) {
      const latest = await deps.store.latestVersionNumber(rules.id);
      return nextVersionProblem(input, latest);
    }
    forget();
    return ok({ rules, version: rules.version });
  }

  function validate(input: unknown): Result<{ id: string; version: number }, 'invalid-rules'> {
    const valid = validateForOperator(input);
    return valid.ok ? ok({ id: valid.value.id, version: valid.value.version }) : valid;
  }

  async function preview(input: unknown, atMs: number): Promise<Result<CampaignPreview, 'invalid-rules'>> {
    const valid = validateForOperator(input);
    if (!valid.ok) return valid;
    return ok(previewAt(valid.value, atMs, await deps.countsByBirthDate()));
  }

  /** The public schedule for one birth date: no identity, no queue (it is public information). */
  async function scheduleForBirthDate(campaignId: string, birthDate: string) {
    const campaign = await liveCampaign(campaignId);
    if (!campaign) return err('campaign-not-found' as const);
    return ok(scheduleFor(campaign.rules, birthDate));
  }

  return {
    liveCampaigns,
    liveCampaign,
    saveVersion,
    validate,
    preview,
    scheduleForBirthDate,
    versions: (id: string) => deps.store.listVersions(id),
    listForEditor: () => deps.store.listForEditor(),
    /** Forget the cached live set (a version was just published here). */
    invalidate: forget,
  };
}

export type CampaignService = ReturnType<typeof createCampaignService>;

/** The problem of a version number that is not the next one, worded like every rule problem. */
export function nextVersionProblem(input: unknown, latest: number) {
  return err('invalid-rules', {
    problems: localizeRuleProblems(
      [{ path: '/version', message: `must be ${latest + 1} (the next version after ${latest})` }],
      input,
    ),
  });
}
