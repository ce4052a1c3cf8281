/**
 * Reviews of campaign versions over Kysely (campaign_reviews, 0005_operations.sql). Every state
 * change is one conditional UPDATE whose WHERE names the state it moves from, so concurrent
 * callers — two approvers, or the scheduled publisher in several processes — cannot both succeed.
 */
import { sql } from 'kysely';
import type { Db, DbOrTrx } from '../platform/db.ts';
import type { CampaignRules } from '../eligibility/rules.ts';
import type { CampaignReview, PublishOutcome, ReviewStore } from './review.ts';
import { insertCampaignVersion, latestVersionNumber } from './campaign-version.repository.ts';

const ms = (d: Date | string | null) => (d === null ? null : new Date(d).getTime());

function reviewsWithRules(db: DbOrTrx) {
  return db
    .selectFrom('campaign_reviews')
    .innerJoin('campaign_versions', (j) =>
      j
        .onRef('campaign_versions.campaign_id', '=', 'campaign_reviews.campaign_id')
        .onRef('campaign_versions.version', '=', 'campaign_reviews.version'),
    )
    .selectAll('campaign_reviews')
    .select('campaign_versions.rules');
}
type Row = Awaited<ReturnType<ReturnType<typeof reviewsWithRules>['execute']>>[number];

const reviewOf = (r: Row): CampaignReview => ({
  campaignId: r.campaign_id,
  version: r.version,
  state: r.state,
  author: r.author,
  submittedAtMs: ms(r.submitted_at)!,
  baseLiveVersion: r.base_live_version,
  approver: r.approver,
  approvedAtMs: ms(r.approved_at),
  publishAtMs: ms(r.publish_at),
  publishedAtMs: ms(r.published_at),
  publishedBy: r.published_by,
  rules: r.rules,
});

async function submitForReview(db: Db, rules: CampaignRules, author: string, atMs: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const latest = await latestVersionNumber(trx, rules.id);
    if (rules.version !== latest + 1) return false;
    if (!(await insertCampaignVersion(trx, rules.id, rules.version, rules, author))) return false;
    const live = await trx.selectFrom('campaigns').select('live_version').where('id', '=', rules.id).executeTakeFirst();
    await trx
      .insertInto('campaign_reviews')
      .values({
        campaign_id: rules.id,
        version: rules.version,
        state: 'pending',
        author,
        submitted_at: new Date(atMs),
        base_live_version: live?.live_version ?? null,
      })
      .execute();
    return true;
  });
}

/** The publish as one statement: the review flips only from approved (and due), and only then the live version moves. */
async function publishReview(
  db: Db,
  id: string,
  version: number,
  actor: string,
  nowMs: number,
  onlyIfDue: boolean,
): Promise<PublishOutcome> {
  const now = new Date(nowMs);
  const published = await sql<{ live_version: number }>`
    WITH flipped AS (
      UPDATE campaign_reviews r SET state = 'published', published_at = ${now}, published_by = ${actor}
       WHERE r.campaign_id = ${id} AND r.version = ${version} AND r.state = 'approved'
         AND (${!onlyIfDue} OR (r.publish_at IS NOT NULL AND r.publish_at <= ${now}))
         AND r.base_live_version IS NOT DISTINCT FROM (SELECT c.live_version FROM campaigns c WHERE c.id = ${id})
      RETURNING r.campaign_id, r.version)
    UPDATE campaigns c SET live_version = flipped.version FROM flipped WHERE c.id = flipped.campaign_id
    RETURNING c.live_version`.execute(db);
  if (published.rows.length === 1) return 'published';
  const review = await reviewsWithRules(db)
    .where('campaign_reviews.campaign_id', '=', id)
    .where('campaign_reviews.version', '=', version)
    .executeTakeFirst();
  if (!review) return 'not-found';
  if (review.state !== 'approved') return 'wrong-state';
  const live = await db.selectFrom('campaigns').select('live_version').where('id', '=', id).executeTakeFirst();
  if ((live?.live_version ?? null) !== review.base_live_version) return 'stale';
  return 'not-due';
}

export function createReviewRepository(db: Db): ReviewStore {
  const one = (id: string, version: number) =>
    reviewsWithRules(db).where('campaign_reviews.campaign_id', '=', id).where('campaign_reviews.version', '=', version);
  const changed = (r: { numUpdatedRows: bigint }) => r.numUpdatedRows === 1n;
  return {
    submitForReview: (rules, author, atMs) => submitForReview(db, rules, author, atMs),
    async listReviews(campaignId) {
      let q = reviewsWithRules(db);
      if (campaignId) q = q.where('campaign_reviews.campaign_id', '=', campaignId);
      return (await q.orderBy('campaign_reviews.submitted_at', 'desc').limit(200).execute()).map(reviewOf);
    },
    findReview: async (id, version) => {
      const r = await one(id, version).executeTakeFirst();
      return r && reviewOf(r);
    },
    approveReview: async (id, version, approver, atMs) =>
      changed(
        await db
          .updateTable('campaign_reviews')
          .set({ state: 'approved', approver, approved_at: new Date(atMs) })
          .where('campaign_id', '=', id)
          .where('version', '=', version)
          .where('state', '=', 'pending')
          .where('author', '<>', approver)
          .executeTakeFirst(),
      ),
    schedulePublish: async (id, version, atMs) =>
      changed(
        await db
          .updateTable('campaign_reviews')
          .set({ publish_at: atMs === null ? null : new Date(atMs) })
          .where('campaign_id', '=', id)
          .where('version', '=', version)
          .where('state', '=', 'approved')
          .executeTakeFirst(),
      ),
    publishReview: (id, version, actor, nowMs, onlyIfDue) => publishReview(db, id, version, actor, nowMs, onlyIfDue),
    duePublishes: async (nowMs) =>
      (
        await db
          .selectFrom('campaign_reviews')
          .select(['campaign_id', 'version'])
          .where('state', '=', 'approved')
          .where('publish_at', '<=', new Date(nowMs))
          .orderBy('publish_at')
          .execute()
      ).map((r) => ({ campaignId: r.campaign_id, version: r.version })),
    withdrawReview: async (id, version) =>
      changed(
        await db
          .updateTable('campaign_reviews')
          .set({ state: 'withdrawn' })
          .where('campaign_id', '=', id)
          .where('version', '=', version)
          .where('state', 'in', ['pending', 'approved'])
          .executeTakeFirst(),
      ),
  };
}
