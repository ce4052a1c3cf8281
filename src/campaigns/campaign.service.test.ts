import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedClock } from '../platform/clock.ts';
import { newRulesDocument } from '../eligibility/eligibility.fixtures.ts';
import { memoryCampaignStore } from '../../test/support/memory-campaign-store.ts';
import { createCampaignService } from './campaign.service.ts';

const rulesV = (version: number) => ({ ...newRulesDocument(), version });

describe('campaign service', () => {
  it('stores only the next version, and says which one that is', async () => {
    const { store } = memoryCampaignStore();
    const campaigns = createCampaignService({ store, clock: fixedClock(0), countsByBirthDate: async () => new Map() });
    assert.equal((await campaigns.saveVersion(rulesV(1), 'op', true)).ok, true);
    const skipped = await campaigns.saveVersion(rulesV(3), 'op', true);
    assert.deepEqual(skipped, {
      ok: false,
      reason: 'invalid-rules',
      detail: {
        problems: [
          {
            path: '/version',
            message: 'must be 2 (the next version after 1)',
            messages: { ko: '2이어야 합니다 (최신 버전 1의 다음 버전)', en: 'must be 2 (the next version after 1)' },
            place: { ko: '버전', en: 'version' },
          },
        ],
      },
    });
    assert.deepEqual(
      (await campaigns.versions('test-round')).map((v) => v.version),
      [1],
    );
  });

  it('serves the live campaigns from memory for cacheTtlMs, and re-reads after a save', async () => {
    const { store, liveReads } = memoryCampaignStore();
    const clock = fixedClock(0);
    const campaigns = createCampaignService({
      store,
      clock,
      countsByBirthDate: async () => new Map(),
      cacheTtlMs: 2_000,
    });
    await campaigns.saveVersion(rulesV(1), 'op', true);
    assert.equal((await campaigns.liveCampaign('test-round'))?.version, 1);
    clock.advance(1_999);
    await campaigns.liveCampaigns();
    assert.equal(liveReads(), 1);
    await campaigns.saveVersion(rulesV(2), 'op', true);
    assert.equal((await campaigns.liveCampaign('test-round'))?.version, 2);
    assert.equal(liveReads(), 2);
  });

  it('reads the live set once for all the requests that find it expired, and keeps a known version as it was', async () => {
    const { store, liveReads } = memoryCampaignStore();
    const clock = fixedClock(0);
    const campaigns = createCampaignService({
      store,
      clock,
      countsByBirthDate: async () => new Map(),
      cacheTtlMs: 2_000,
    });
    await campaigns.saveVersion(rulesV(1), 'op', true);
    const first = await campaigns.liveCampaign('test-round');
    clock.advance(2_000);
    const again = await Promise.all([1, 2, 3, 4].map(() => campaigns.liveCampaign('test-round')));
    assert.equal(liveReads(), 2, 'one read for the four requests after expiry');
    assert.ok(
      again.every((c) => c === first),
      'the same version is not validated again',
    );
  });
});
