/**
 * The CampaignStore contract in memory (versions, live pointer, reviews), counting reads of the
 * live set. The conditional steps follow the Kysely adapter's WHERE clauses one for one.
 */
import type { CampaignStore, StoredCampaign } from '../../src/campaigns/campaign.service.ts';
import type { CampaignReview } from '../../src/campaigns/review.ts';

export function memoryCampaignStore() {
  const versions: { id: string; version: number; rules: unknown }[] = [];
  const live = new Map<string, number>();
  const reviews: CampaignReview[] = [];
  let liveReads = 0;
  const stored = (v: (typeof versions)[number]): StoredCampaign => ({ ...v, isLive: live.get(v.id) === v.version });
  const latest = (id: string) => Math.max(0, ...versions.filter((v) => v.id === id).map((v) => v.version));
  const find = (id: string, version: number) => reviews.findIndex((r) => r.campaignId === id && r.version === version);
  const update = (i: number, change: Partial<CampaignReview>) => {
    reviews[i] = { ...reviews[i]!, ...change };
    return true;
  };
  const store: CampaignStore = {
    async listLive() {
      liveReads += 1;
      return versions.filter((v) => live.get(v.id) === v.version).map(stored);
    },
    async listVersions(id) {
      return versions
        .filter((v) => v.id === id)
        .map(stored)
        .reverse();
    },
    async listForEditor() {
      return [];
    },
    async latestVersionNumber(id) {
      return latest(id);
    },
    async saveNextVersion(rules, _actor, makeLive) {
      if (rules.version !== latest(rules.id) + 1) return false;
      versions.push({ id: rules.id, version: rules.version, rules });
      if (makeLive) live.set(rules.id, rules.version);
      return true;
    },
    async submitForReview(rules, author, atMs) {
      if (rules.version !== latest(rules.id) + 1) return false;
      versions.push({ id: rules.id, version: rules.version, rules });
      reviews.push({
        campaignId: rules.id,
        version: rules.version,
        state: 'pending',
        author,
        submittedAtMs: atMs,
        baseLiveVersion: live.get(rules.id) ?? null,
        approver: null,
        approvedAtMs: null,
        publishAtMs: null,
        publishedAtMs: null,
        publishedBy: null,
        rules,
      });
      return true;
    },
    async listReviews(id) {
      return reviews.filter((r) => !id || r.campaignId === id).reverse();
    },
    async findReview(id, version) {
      return reviews[find(id, version)];
    },
    async approveReview(id, version, approver, atMs) {
      const i = find(id, version);
      return (
        i >= 0 &&
        reviews[i]!.state === 'pending' &&
        reviews[i]!.author !== approver &&
        update(i, { state: 'approved', approver, approvedAtMs: atMs })
      );
    },
    async schedulePublish(id, version, publishAtMs) {
      const i = find(id, version);
      return i >= 0 && reviews[i]!.state === 'approved' && update(i, { publishAtMs });
    },
    async publishReview(id, version, actor, nowMs, onlyIfDue) {
      const i = find(id, version);
      const r = reviews[i];
      if (!r) return 'not-found';
      if (r.state !== 'approved') return 'wrong-state';
      if ((live.get(id) ?? null) !== r.baseLiveVersion) return 'stale';
      if (onlyIfDue && (r.publishAtMs === null || r.publishAtMs > nowMs)) return 'not-due';
      update(i, { state: 'published', publishedAtMs: nowMs, publishedBy: actor });
      live.set(id, version);
      return 'published';
    },
    async duePublishes(nowMs) {
      return reviews
        .filter((r) => r.state === 'approved' && r.publishAtMs !== null && r.publishAtMs <= nowMs)
        .map((r) => ({ campaignId: r.campaignId, version: r.version }));
    },
    async withdrawReview(id, version) {
      const i = find(id, version);
      return (
        i >= 0 &&
        (reviews[i]!.state === 'pending' || reviews[i]!.state === 'approved') &&
        update(i, { state: 'withdrawn' })
      );
    },
  };
  return { store, liveReads: () => liveReads };
}
