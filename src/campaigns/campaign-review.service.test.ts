import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedClock } from '../platform/clock.ts';
import { newRulesDocument } from '../eligibility/eligibility.fixtures.ts';
import type { AuditEntryInput } from '../audit/audit.ts';
import { memoryCampaignStore } from '../../test/support/memory-campaign-store.ts';
import { createCampaignService } from './campaign.service.ts';
import { createCampaignReviewService } from './campaign-review.service.ts';

const rulesV = (version: number) => ({ ...newRulesDocument(), version });
const NOW = Date.parse('2026-03-02T03:00:00Z');

function setup() {
  const { store } = memoryCampaignStore();
  const clock = fixedClock(NOW);
  const entries: AuditEntryInput[] = [];
  const campaigns = createCampaignService({
    store,
    clock,
    countsByBirthDate: async () => new Map(),
    cacheTtlMs: 60_000,
  });
  const reviews = createCampaignReviewService({
    store,
    clock,
    countsByBirthDate: async () => new Map([['1968-05-05', 3]]),
    onPublished: () => campaigns.invalidate(),
    audit: {
      record: async (e) => {
        entries.push(e);
        return {
          ...e,
          id: entries.length,
          atMs: clock.nowMs(),
          actorKind: e.actor.kind,
          actor: e.actor.name,
          action: e.action,
          campaignId: e.campaignId ?? null,
          target: e.target ?? null,
          before: e.before,
          after: e.after,
          detail: e.detail,
        };
      },
    },
  });
  return { store, clock, campaigns, reviews, entries };
}

describe('campaign review', () => {
  it('keeps a submitted version off the live set until a second person approves it and it is published', async () => {
    const { campaigns, reviews, entries } = setup();
    await campaigns.saveVersion(rulesV(1), 'seed', true);
    const submitted = await reviews.submit(rulesV(2), 'alice');
    assert.equal(submitted.ok && submitted.value.state, 'pending');
    assert.equal((await campaigns.liveCampaign('test-round'))?.version, 1);

    assert.deepEqual(await reviews.approve('test-round', 2, 'alice'), {
      ok: false,
      reason: 'review-own-version',
      detail: { author: 'alice' },
    });
    assert.deepEqual(await reviews.publish('test-round', 2, 'alice'), {
      ok: false,
      reason: 'review-wrong-state',
      detail: { state: 'pending' },
    });
    assert.equal((await reviews.approve('test-round', 2, 'bob')).ok, true);
    assert.equal((await campaigns.liveCampaign('test-round'))?.version, 1, 'approval alone publishes nothing');
    const published = await reviews.publish('test-round', 2, 'alice');
    assert.equal(published.ok && published.value.state, 'published');
    assert.equal(
      (await campaigns.liveCampaign('test-round'))?.version,
      2,
      'this process serves the new version at once',
    );
    assert.deepEqual(
      entries.map((e) => [e.action, e.actor.name]),
      [
        ['campaign-save', 'alice'],
        ['campaign-approve', 'bob'],
        ['campaign-publish', 'alice'],
      ],
    );
    assert.deepEqual(entries[2]!.before, { liveVersion: 1, state: 'approved', approver: 'bob', publishAtMs: null });
    assert.deepEqual(entries[2]!.after, { liveVersion: 2, state: 'published', approver: 'bob', publishAtMs: null });
  });

  it('publishes a scheduled version when its instant comes, once, as the system', async () => {
    const { campaigns, reviews, clock, entries } = setup();
    await campaigns.saveVersion(rulesV(1), 'seed', true);
    await reviews.submit(rulesV(2), 'alice');
    await reviews.approve('test-round', 2, 'bob');
    const at = NOW + 3_600_000;
    const scheduled = await reviews.publish('test-round', 2, 'alice', at);
    assert.equal(scheduled.ok && scheduled.value.publishAtMs, at);
    assert.deepEqual(await reviews.publishDue(), []);
    clock.set(at);
    const [first, second] = await Promise.all([reviews.publishDue(), reviews.publishDue()]);
    assert.equal(first!.length + second!.length, 1, 'two timers at the same instant publish it once');
    assert.equal((await campaigns.liveCampaign('test-round'))?.version, 2);
    const publish = entries.filter((e) => e.action === 'campaign-publish');
    assert.deepEqual(
      publish.map((e) => e.actor),
      [
        { kind: 'operator', name: 'alice' },
        { kind: 'system', name: 'scheduler' },
      ],
    );
  });

  it('refuses to publish a version reviewed against a live version that has since changed', async () => {
    const { campaigns, reviews } = setup();
    await campaigns.saveVersion(rulesV(1), 'seed', true);
    await reviews.submit(rulesV(2), 'alice');
    await reviews.submit(rulesV(3), 'carol');
    await reviews.approve('test-round', 2, 'bob');
    await reviews.approve('test-round', 3, 'bob');
    assert.equal((await reviews.publish('test-round', 3, 'carol')).ok, true);
    assert.deepEqual(await reviews.publish('test-round', 2, 'alice'), {
      ok: false,
      reason: 'review-stale',
      detail: { state: 'approved' },
    });
    const impact = await reviews.impact('test-round', 2);
    assert.equal(impact.ok && impact.value.isStale, true);
    assert.equal((await campaigns.liveCampaign('test-round'))?.version, 3);
  });

  it('lists the problems of an invalid version in both languages and stores nothing', async () => {
    const { reviews, store } = setup();
    const bad = await reviews.submit({ ...rulesV(1), timeZone: 'UTC' }, 'alice');
    assert.equal(bad.ok, false);
    const problems = (bad as unknown as { detail: { problems: { path: string; messages: { ko: string } }[] } }).detail
      .problems;
    assert.deepEqual(
      problems.map((p) => [p.path, p.messages.ko]),
      [['/timeZone', "'Asia/Seoul'이어야 합니다"]],
    );
    assert.deepEqual(await store.listReviews(), []);
  });
});
