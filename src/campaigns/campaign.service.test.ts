import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedClock } from '../platform/clock.ts';
import { newRulesDocument } from '../eligibility/eligibility.fixtures.ts';
import { createCampaignService, type CampaignStore, type StoredCampaign } from './campaign.service.ts';

/** The CampaignStore contract in memory, counting reads of the live set. */
function memoryCampaignStore() {
  const versions: { id: string; version: number; rules: unknown }[] = [];
  const live = new Map<string, number>();
  let liveReads = 0;
  const stored = (v: (typeof versions)[number]): StoredCampaign => ({ ...v, isLive: live.get(v.id) === v.version });
  const latest = (id: string) => Math.max(0, ...versions.filter((v) => v.id === id).map((v) => v.version));
  const store: CampaignStore = {
    async listLive() { liveReads += 1; return versions.filter((v) => live.get(v.id) === v.version).map(stored); },
    async listVersions(id) { return versions.filter((v) => v.id === id).map(stored).reverse(); },
    async listForEditor() { return []; },
    async latestVersionNumber(id) { return latest(id); },
    async saveNextVersion(rules, _actor, makeLive) {
      if (rules.version !== latest(rules.id) + 1) return false;
      versions.push({ id: rules.id, version: rules.version, rules });
      if (makeLive) live.set(rules.id, rules.version);
      return true;
    },
  };
  return { store, liveReads: () => liveReads };
}

const rulesV = (version: number) => ({ ...newRulesDocument(), version });

describe('campaign service', () => {
  it('stores only the next version, and says which one that is', async () => {
    const { store } = memoryCampaignStore();
    const campaigns = createCampaignService({ store, clock: fixedClock(0), countsByBirthDate: async () => new Map() });
    assert.equal((await campaigns.saveVersion(rulesV(1), 'op', true)).ok, true);
    const skipped = await campaigns.saveVersion(rulesV(3), 'op', true);
    assert.deepEqual(skipped, { ok: false, reason: 'invalid-rules', detail: { problems: [{ path: '/version', message: 'must be 2 (the next version after 1)' }] } });
    assert.deepEqual((await campaigns.versions('test-round')).map((v) => v.version), [1]);
  });

  it('serves the live campaigns from memory for cacheTtlMs, and re-reads after a save', async () => {
    const { store, liveReads } = memoryCampaignStore();
    const clock = fixedClock(0);
    const campaigns = createCampaignService({ store, clock, countsByBirthDate: async () => new Map(), cacheTtlMs: 2_000 });
    await campaigns.saveVersion(rulesV(1), 'op', true);
    assert.equal((await campaigns.liveCampaign('test-round'))?.version, 1);
    clock.advance(1_999);
    await campaigns.liveCampaigns();
    assert.equal(liveReads(), 1);
    await campaigns.saveVersion(rulesV(2), 'op', true);
    assert.equal((await campaigns.liveCampaign('test-round'))?.version, 2);
    assert.equal(liveReads(), 2);
  });
});
