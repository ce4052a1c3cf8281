/**
 * Rule changes as reviewed versions. Nothing goes live in one click:
 *   submit (validated, stored, pending) → impact report against the live version → approve (a
 *   second person with the approver role; never the author) → publish now, or at an instant a
 *   timer in every process picks up (the store's conditional publish lets exactly one do it).
 * Each step is recorded in the audit trail with the state before and after.
 */
import type { Clock } from '../platform/clock.ts';
import { err, ok, type Result } from '../platform/result.ts';
import { validateCampaignRules } from '../eligibility/rules.ts';
import { impactOf, type ImpactReport } from '../eligibility/impact.ts';
import { operatorActor, systemActor, type AuditRecorder } from '../audit/audit.service.ts';
import { nextVersionProblem, validateForOperator, type CampaignStore } from './campaign.service.ts';
import type { CampaignReview, PublishOutcome } from './review.ts';

export interface CampaignReviewDeps {
  store: CampaignStore;
  clock: Clock;
  audit: AuditRecorder;
  countsByBirthDate(): Promise<ReadonlyMap<string, number>>;
  /** Called in this process after a publish (the campaign service forgets its cached live set). */
  onPublished(campaignId: string): void;
}

export type ReviewRefusal =
  'review-not-found' | 'review-own-version' | 'review-wrong-state' | 'review-stale' | 'review-publish-at-past';

const PUBLISH_REFUSALS: Record<Exclude<PublishOutcome, 'published'>, ReviewRefusal> = {
  'not-found': 'review-not-found',
  'wrong-state': 'review-wrong-state',
  stale: 'review-stale',
  'not-due': 'review-wrong-state',
};

const targetOf = (id: string, version: number) => `campaign:${id}@v${version}`;
const stateOf = (r: CampaignReview) => ({ state: r.state, approver: r.approver, publishAtMs: r.publishAtMs });

export function createCampaignReviewService(deps: CampaignReviewDeps) {
  const { store, clock, audit } = deps;

  async function liveOf(campaignId: string) {
    const row = (await store.listLive()).find((c) => c.id === campaignId);
    const valid = row && validateCampaignRules(row.rules);
    return row && valid?.ok ? { rules: valid.value, version: row.version } : null;
  }

  /** Validates and stores `input` as the next version, pending review. */
  async function submit(input: unknown, author: string): Promise<Result<CampaignReview, 'invalid-rules'>> {
    const valid = validateForOperator(input);
    if (!valid.ok) return valid;
    const rules = valid.value;
    if (!(await store.submitForReview(rules, author, clock.nowMs())))
      return nextVersionProblem(input, await store.latestVersionNumber(rules.id));
    const review = (await store.findReview(rules.id, rules.version))!;
    await audit.record({
      actor: operatorActor(author),
      action: 'campaign-save',
      campaignId: rules.id,
      target: targetOf(rules.id, rules.version),
      before: { liveVersion: review.baseLiveVersion },
      after: { version: rules.version, state: review.state },
    });
    return ok(review);
  }

  /** Who gains, loses or moves if this version replaces the live one now; `isStale` when live moved since submission. */
  async function impact(
    campaignId: string,
    version: number,
  ): Promise<Result<ImpactReport & { isStale: boolean; review: CampaignReview }, ReviewRefusal>> {
    const review = await store.findReview(campaignId, version);
    const valid = review && validateCampaignRules(review.rules);
    if (!review || !valid?.ok) return err('review-not-found');
    const live = await liveOf(campaignId);
    const report = impactOf(live, valid.value, await deps.countsByBirthDate());
    return ok({ ...report, isStale: (live?.version ?? null) !== review.baseLiveVersion, review });
  }

  async function approve(
    campaignId: string,
    version: number,
    approver: string,
  ): Promise<Result<CampaignReview, ReviewRefusal>> {
    const review = await store.findReview(campaignId, version);
    if (!review) return err('review-not-found');
    if (review.author === approver) return err('review-own-version', { author: review.author });
    if (review.state !== 'pending') return err('review-wrong-state', { state: review.state });
    const live = await liveOf(campaignId);
    if ((live?.version ?? null) !== review.baseLiveVersion)
      return err('review-stale', { liveVersion: live?.version ?? null, baseLiveVersion: review.baseLiveVersion });
    if (!(await store.approveReview(campaignId, version, approver, clock.nowMs()))) return err('review-wrong-state');
    const after = (await store.findReview(campaignId, version))!;
    await audit.record({
      actor: operatorActor(approver),
      action: 'campaign-approve',
      campaignId,
      target: targetOf(campaignId, version),
      before: stateOf(review),
      after: stateOf(after),
    });
    return ok(after);
  }

  /** Publishes now (`atMs` absent or not after now) or schedules the publish for `atMs`. */
  async function publish(
    campaignId: string,
    version: number,
    actor: string,
    atMs?: number,
  ): Promise<Result<CampaignReview, ReviewRefusal>> {
    const before = await store.findReview(campaignId, version);
    if (!before) return err('review-not-found');
    const nowMs = clock.nowMs();
    if (atMs !== undefined && atMs > nowMs) {
      if (!(await store.schedulePublish(campaignId, version, atMs)))
        return err('review-wrong-state', { state: before.state });
      const after = (await store.findReview(campaignId, version))!;
      await audit.record({
        actor: operatorActor(actor),
        action: 'campaign-publish',
        campaignId,
        target: targetOf(campaignId, version),
        before: stateOf(before),
        after: stateOf(after),
        detail: { scheduledForMs: atMs },
      });
      return ok(after);
    }
    if (atMs !== undefined && atMs < nowMs - 60_000) return err('review-publish-at-past');
    return publishNow(campaignId, version, operatorActor(actor).name, false, before);
  }

  async function publishNow(
    campaignId: string,
    version: number,
    actor: string,
    onlyIfDue: boolean,
    before: CampaignReview,
  ): Promise<Result<CampaignReview, ReviewRefusal>> {
    const liveBefore = (await liveOf(campaignId))?.version ?? null;
    const outcome = await store.publishReview(campaignId, version, actor, clock.nowMs(), onlyIfDue);
    if (outcome !== 'published') return err(PUBLISH_REFUSALS[outcome], { state: before.state });
    deps.onPublished(campaignId);
    const after = (await store.findReview(campaignId, version))!;
    await audit.record({
      actor: onlyIfDue ? systemActor(actor) : operatorActor(actor),
      action: 'campaign-publish',
      campaignId,
      target: targetOf(campaignId, version),
      before: { liveVersion: liveBefore, ...stateOf(before) },
      after: { liveVersion: version, ...stateOf(after) },
      detail: onlyIfDue ? { scheduledForMs: before.publishAtMs } : {},
    });
    return ok(after);
  }

  /** Publishes every approved version whose instant has come; another process may win some (they are skipped). */
  async function publishDue(): Promise<CampaignReview[]> {
    const done: CampaignReview[] = [];
    for (const { campaignId, version } of await store.duePublishes(clock.nowMs())) {
      const before = await store.findReview(campaignId, version);
      if (!before) continue;
      const r = await publishNow(campaignId, version, 'scheduler', true, before);
      if (r.ok) done.push(r.value);
    }
    return done;
  }

  async function withdraw(
    campaignId: string,
    version: number,
    actor: string,
  ): Promise<Result<CampaignReview, ReviewRefusal>> {
    const before = await store.findReview(campaignId, version);
    if (!before) return err('review-not-found');
    if (!(await store.withdrawReview(campaignId, version))) return err('review-wrong-state', { state: before.state });
    const after = (await store.findReview(campaignId, version))!;
    await audit.record({
      actor: operatorActor(actor),
      action: 'campaign-withdraw',
      campaignId,
      target: targetOf(campaignId, version),
      before: stateOf(before),
      after: stateOf(after),
    });
    return ok(after);
  }

  return {
    submit,
    impact,
    approve,
    publish,
    publishDue,
    withdraw,
    list: (campaignId?: string) => store.listReviews(campaignId),
  };
}

export type CampaignReviewService = ReturnType<typeof createCampaignReviewService>;
