/**
 * Issue 11, abuse 3: one citizen could throttle admission for everyone by making the booking routes
 * answer 500. The admission controller must read only admitted work, per identity capped.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { fixedClock } from '../../src/platform/clock.ts';
import { makeRrn } from '../../src/people/rrn.ts';
import { identityHashOf } from '../../src/identity/identity-hash.ts';
import { insertPeople } from '../../src/people/people.repository.ts';
import { insertCampaignVersion, setLiveVersion } from '../../src/campaigns/campaign.repository.ts';
import { demoCampaign } from '../../src/eligibility/seed-campaigns.ts';
import { postgresForTest, type TestDatabase } from '../support/databases.ts';
import { newFacility, newSlotPair, dateAfter } from '../support/factories.ts';
import { testApp, testConfig } from '../support/services.ts';
import { admitted, runAdmission, verifyAs } from '../support/queue.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');
const OPENS = NOW + 60_000;

describe('admission health from admitted traffic only', () => {
  let tdb: TestDatabase;
  let ctx: Awaited<ReturnType<typeof testApp>>;
  const clock = fixedClock(NOW);
  const rrn = makeRrn('1968-05-05', 'F', 11);
  let slots: number[] = [];

  before(async () => {
    // Real Postgres: PGlite stalls after some 18 failed transactions raised from a trigger.
    tdb = (await postgresForTest(undefined))!;
    await insertPeople(tdb.db, [
      {
        identity_hash: identityHashOf(testConfig().identityHmacKey, rrn.replace('-', '')),
        birth_date: '1968-05-05',
        name: '김하나',
        phone: '010-0000-0000',
        region_code: 'KR-11',
      },
    ]);
    const rules = demoCampaign(NOW, { opensInMs: OPENS - NOW });
    await insertCampaignVersion(tdb.db, rules.id, 1, rules, 'test');
    await setLiveVersion(tdb.db, rules.id, 1);
    const facility = await newFacility(tdb.db);
    slots = [
      (
        await newSlotPair(tdb.db, {
          campaignId: 'demo',
          facilityId: facility.id,
          date: dateAfter(NOW, 3),
          capacity: 10,
        })
      ).dose1.id,
      (
        await newSlotPair(tdb.db, {
          campaignId: 'demo',
          facilityId: facility.id,
          date: dateAfter(NOW, 4),
          capacity: 10,
        })
      ).dose1.id,
    ];
    // The per-identity change limit (10/min) would stop this storm at the door; it is raised here to
    // show that the admission signal itself ignores one person's failures on a route they can hammer.
    ctx = await testApp(tdb, clock, undefined, { CHANGE_PER_IDENTITY_PER_MINUTE: '1000' });
  });
  after(async () => {
    await ctx.app.close();
    await tdb.close();
  });

  const rateOf = () => {
    const s = ctx.services.waitingRoom.service.roomStatus('demo');
    assert.ok(s.ok);
    return s.value.controller.ratePerSec;
  };

  it('leaves the admission rate where it was during a 500 storm from one person', async () => {
    clock.set(OPENS + 1_000);
    const auth = await verifyAs(ctx.app, rrn, '김하나');
    const headers = await admitted(ctx.app, ctx.services, clock, 'demo', auth, 'device-storm-01');
    const placed = await ctx.app.inject({
      method: 'POST',
      url: '/api/campaigns/demo/bookings',
      headers: { ...headers, 'idempotency-key': 'storm-booking-1' },
      payload: { slotId: slots[0] },
    });
    assert.equal(placed.statusCode, 201, placed.body);
    const bookingNumber = placed.json().bookingNumber as string;
    // Every change of this booking now fails inside the database: a real 500 on a route that needs no admission.
    await sql`create function fail_storm() returns trigger language plpgsql as $$ begin raise exception 'storm'; end $$`.execute(
      tdb.db,
    );
    await sql`create trigger fail_storm before update on bookings for each row execute function fail_storm()`.execute(
      tdb.db,
    );
    const before = rateOf();

    let fivehundreds = 0;
    for (let second = 0; second < 20; second += 1) {
      for (let i = 0; i < 9; i += 1) {
        const res = await ctx.app.inject({
          method: 'PATCH',
          url: `/api/bookings/${bookingNumber}`,
          headers: { ...auth, cookie: headers.cookie },
          payload: { slotId: slots[1] },
        });
        if (res.statusCode === 500) fivehundreds += 1;
      }
      await runAdmission(ctx.services, clock, 'demo', 1);
    }

    assert.equal(fivehundreds, 180, 'the storm really was 180 server errors');
    assert.equal(ctx.services.monitor.snapshot().errorRate, 1, 'the console still sees them');
    assert.equal(rateOf(), before, 'the admission rate did not move');
  });
});
