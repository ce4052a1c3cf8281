import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedClock } from '../platform/clock.ts';
import { createEligibilityService } from './eligibility.service.ts';
import { allSeedCampaigns, kst } from './eligibility.fixtures.ts';

function newService(nowMs: number) {
  const clock = fixedClock(nowMs);
  const campaigns = allSeedCampaigns();
  const service = createEligibilityService({ clock, campaignById: (id) => campaigns.find((c) => c.id === id) });
  return { clock, service };
}

describe('createEligibilityService', () => {
  it('decides with the server clock and names the rules version it used', () => {
    const { clock, service } = newService(kst('2021-07-19T19:59'));
    const query = { birthDate: '1968-05-05', hasActiveBooking: false };

    const before = service.check('2021-07-53-54', query);
    clock.set(kst('2021-07-20T03:00'));
    const after = service.check('2021-07-53-54', query);

    assert.ok(before.ok && after.ok);
    assert.deepEqual([before.value.status, after.value.status], ['not-yet', 'eligible']);
    assert.deepEqual([after.value.campaignId, after.value.rulesVersion], ['2021-07-53-54', 1]);
  });

  it('refuses an unknown campaign and an impossible birth date as typed reasons', () => {
    const { service } = newService(kst('2021-07-20T03:00'));
    assert.deepEqual(service.check('2021-07-99-99', { birthDate: '1968-05-05', hasActiveBooking: false }),
      { ok: false, reason: 'unknown-campaign', detail: { campaignId: '2021-07-99-99' } });
    assert.deepEqual(service.check('2021-07-53-54', { birthDate: '1968-02-30', hasActiveBooking: false }),
      { ok: false, reason: 'invalid-birth-date', detail: { birthDate: '1968-02-30' } });
    assert.deepEqual(service.schedule('2021-07-53-54', '68-05-05'),
      { ok: false, reason: 'invalid-birth-date', detail: { birthDate: '68-05-05' } });
  });

  it('schedules and previews through the same rules', () => {
    const { service } = newService(kst('2021-08-10T03:00'));
    const schedule = service.schedule('2021-08-18-49', '1990-08-09');
    const preview = service.preview('2021-08-18-49', new Map([['1990-08-09', 3], ['1990-08-10', 4]]));
    assert.ok(schedule.ok && preview.ok);
    assert.deepEqual(schedule.value.map((o) => o.phaseId), ['rotation', 'catch-up-18-35', 'catch-up-everyone']);
    assert.equal(preview.value.people, 3);
  });
});
