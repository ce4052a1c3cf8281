/**
 * A campaign version's way to going live: stored and submitted (pending) → approved by a second
 * person with the approver role → published now or at a set instant. The store's operations are
 * conditional, so two processes (or two people) acting at once cannot both succeed.
 */
import type { CampaignRules } from '../eligibility/rules.ts';

export type ReviewState = 'pending' | 'approved' | 'published' | 'withdrawn';

export interface CampaignReview {
  readonly campaignId: string;
  readonly version: number;
  readonly state: ReviewState;
  readonly author: string;
  readonly submittedAtMs: number;
  /** The live version when it was submitted: its impact is measured against this one. */
  readonly baseLiveVersion: number | null;
  readonly approver: string | null;
  readonly approvedAtMs: number | null;
  /** A scheduled publish instant (approved only), epoch ms. */
  readonly publishAtMs: number | null;
  readonly publishedAtMs: number | null;
  readonly publishedBy: string | null;
  readonly rules: unknown;
}

export type PublishOutcome = 'published' | 'not-found' | 'wrong-state' | 'not-due' | 'stale';

/** The review half of the campaign store (campaign-review.repository.ts over Kysely). */
export interface ReviewStore {
  /**
   * Stores `rules` as its campaign's next version (not live) with a pending review whose base is
   * the live version of this moment; false if `rules.version` is not the next one.
   */
  submitForReview(rules: CampaignRules, author: string, atMs: number): Promise<boolean>;
  listReviews(campaignId?: string): Promise<CampaignReview[]>;
  findReview(campaignId: string, version: number): Promise<CampaignReview | undefined>;
  /** pending → approved, only if still pending and `approver` is not the author. */
  approveReview(campaignId: string, version: number, approver: string, atMs: number): Promise<boolean>;
  /** Sets (or clears) the publish instant of an approved version; false if it is not approved. */
  schedulePublish(campaignId: string, version: number, publishAtMs: number | null): Promise<boolean>;
  /**
   * approved → published and the campaign's live version set to it, in one conditional statement:
   * only while approved, only if the live version is still the review's base, and with
   * `onlyIfDue` only once its publish instant has come. Of concurrent calls exactly one publishes.
   */
  publishReview(
    campaignId: string,
    version: number,
    actor: string,
    nowMs: number,
    onlyIfDue: boolean,
  ): Promise<PublishOutcome>;
  /** Approved versions whose publish instant is at or before `nowMs`. */
  duePublishes(nowMs: number): Promise<{ campaignId: string; version: number }[]>;
  /** pending or approved → withdrawn. */
  withdrawReview(campaignId: string, version: number): Promise<boolean>;
}
