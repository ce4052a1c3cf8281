import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CAMPAIGN, OPENS, keys, newHarness, person } from '../../test/support/waiting-room.ts';
import { deviceTagOf, type AdmissionRecord } from './admission-ledger.ts';

describe('admissions ledger', () => {
  it('records an admission with its queue place, ticket time, device tag and verification', async () => {
    const recorded: AdmissionRecord[] = [];
    const h = await newHarness({
      startMs: OPENS + 1_000,
      controller: { initialRatePerSec: 100 },
      admissions: {
        async recordAdmission(r) {
          recorded.push(r);
        },
      },
    });
    const verification = { providerId: 'kakao', verifiedAtMs: OPENS - 5_000 };
    const joined = await h.service.joinQueue({ ...person(1), verification });
    assert.equal(joined.ok, true);
    await h.store.advanceCursor(
      { campaignId: CAMPAIGN, partition: 0 },
      { count: 1, graceMs: 60_000 },
      { nowMs: h.clock.nowMs(), opensAtMs: OPENS },
    );
    await h.service.refreshSnapshot();
    h.clock.advance(2_000);
    const polled = await h.service.pollStatus({
      campaignId: CAMPAIGN,
      ticket: joined.ok ? joined.value.ticket : '',
      deviceId: 'device-1',
      identityHash: 'identity-1',
      verification,
    });
    assert.ok(polled.ok && polled.value.status.kind === 'admitted', JSON.stringify(polled));
    if (polled.value.status.kind !== 'admitted') return;
    assert.deepEqual(recorded, [
      {
        admissionId: polled.value.status.admissionId,
        campaignId: CAMPAIGN,
        identityHash: 'identity-1',
        deviceTag: deviceTagOf(keys.admission, 'device-1'),
        queueSeq: 1,
        isPreRoom: false,
        ticketIssuedAtMs: OPENS + 1_000,
        admittedAtMs: OPENS + 3_000,
        expiresAtMs: polled.value.status.expiresAtMs,
        verification,
      },
    ]);
    assert.notEqual(recorded[0]!.deviceTag, 'device-1', 'the device id itself is not kept');
  });

  it('hands out no token when the admission cannot be recorded', async () => {
    const h = await newHarness({
      startMs: OPENS + 1_000,
      admissions: {
        async recordAdmission() {
          throw new Error('database down');
        },
      },
    });
    const joined = await h.service.joinQueue(person(1));
    assert.ok(joined.ok);
    await h.store.advanceCursor(
      { campaignId: CAMPAIGN, partition: 0 },
      { count: 1, graceMs: 60_000 },
      { nowMs: h.clock.nowMs(), opensAtMs: OPENS },
    );
    await h.service.refreshSnapshot();
    await assert.rejects(
      h.service.pollStatus({ campaignId: CAMPAIGN, ticket: joined.value.ticket, deviceId: 'device-1' }),
      /database down/,
    );
  });
});
