import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../platform/clock.ts';
import { pgliteForTest, type TestDatabase } from '../../test/support/databases.ts';
import { newFacility, newLiveCampaign, newPeople, newSlotPair, dateAfter } from '../../test/support/factories.ts';
import { testServices } from '../../test/support/services.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');

/** Fails instead of hanging: on PGlite's one connection a read outside an open transaction waits forever. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

describe('changing a booking on embedded PGlite (one connection)', () => {
  let tdb: TestDatabase;
  before(async () => {
    tdb = await pgliteForTest();
  });
  after(async () => {
    await tdb.close();
  });

  it('answers when the live-campaign cache has expired, so the campaign must be read again', async () => {
    const db = tdb.db;
    const clock = fixedClock(NOW);
    const campaign = await newLiveCampaign(db, NOW, { id: 'change-pglite' });
    const facility = await newFacility(db);
    const first = await newSlotPair(db, {
      campaignId: campaign.id,
      facilityId: facility.id,
      date: dateAfter(NOW, 5),
      capacity: 5,
    });
    const second = await newSlotPair(db, {
      campaignId: campaign.id,
      facilityId: facility.id,
      date: dateAfter(NOW, 6),
      capacity: 5,
    });
    const [person] = await newPeople(db, 1);
    const svc = testServices(tdb, clock);
    const placed = await svc.booking.placeBooking({
      requesterId: person!.id,
      campaignId: campaign.id,
      slotId: first.dose1.id,
      idempotencyKey: 'pglite-change-1',
    });
    assert.ok(placed.ok);

    clock.advance(60_000); // past the campaign cache's TTL (2 s) and the row cache's (60 s)
    const changed = await within(
      10_000,
      svc.booking.changeBooking({
        requesterId: person!.id,
        bookingNumber: placed.value.bookingNumber,
        slotId: second.dose1.id,
      }),
    );

    assert.ok(changed.ok);
    assert.equal(changed.value.dose1.slotId, second.dose1.id);
  });
});
