import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../src/platform/clock.ts';
import { makeRrn } from '../../src/people/rrn.ts';
import { identityHashOf } from '../../src/identity/identity-hash.ts';
import { insertPeople } from '../../src/people/people.repository.ts';
import { pgliteForTest, type TestDatabase } from '../support/databases.ts';
import { newFacility, newLiveCampaign, newSlotPair, dateAfter } from '../support/factories.ts';
import { testApp, testConfig } from '../support/services.ts';
import { admitted, joinQueue, verifyAs } from '../support/queue.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');

describe('booking for a parent', () => {
  let tdb: TestDatabase;
  let ctx: Awaited<ReturnType<typeof testApp>>;
  const clock = fixedClock(NOW);
  const child = { rrn: makeRrn('1995-04-04', 'M', 7), name: '정아들', born: '1995-04-04' };
  const parent = { rrn: makeRrn('1967-09-09', 'F', 8), name: '정엄마', born: '1967-09-09' };
  const slots: Record<string, number> = {};

  before(async () => {
    tdb = await pgliteForTest();
    const key = testConfig().identityHmacKey;
    await insertPeople(
      tdb.db,
      [child, parent].map((p) => ({
        identity_hash: identityHashOf(key, p.rrn.replace('-', '')),
        birth_date: p.born,
        name: p.name,
        phone: '010-1111-2222',
        region_code: 'KR-26',
      })),
    );
    const facility = await newFacility(tdb.db);
    for (const [id, proxyBooking] of [
      ['demo', 'allowed'],
      ['no-proxy', 'banned'],
    ] as const) {
      await newLiveCampaign(tdb.db, NOW, { id, proxyBooking });
      slots[id] = (
        await newSlotPair(tdb.db, { campaignId: id, facilityId: facility.id, date: dateAfter(NOW, 3), capacity: 5 })
      ).dose1.id;
    }
    ctx = await testApp(tdb, clock);
  });
  after(async () => {
    await ctx.app.close();
    await tdb.close();
  });

  it('books for the parent where proxies are allowed, and the child can still queue and book for themselves', async () => {
    const auth = await verifyAs(ctx.app, child.rrn, child.name);
    const h = await admitted(ctx.app, ctx.services, clock, 'demo', auth, 'child-phone-01');
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/campaigns/demo/bookings',
      headers: { ...h, 'idempotency-key': 'for-mum-0001' },
      payload: { slotId: slots.demo, forPerson: { rrn: parent.rrn, name: parent.name } },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().isProxy, true);
    const row = await tdb.db
      .selectFrom('bookings')
      .innerJoin('people', 'people.id', 'bookings.person_id')
      .select(['people.birth_date', 'bookings.requested_by_id', 'bookings.person_id'])
      .executeTakeFirstOrThrow();
    assert.equal(row.birth_date, parent.born);
    assert.notEqual(row.requested_by_id, row.person_id);

    const reused = await ctx.app.inject({ url: '/api/campaigns/demo/eligibility', headers: h });
    assert.equal(reused.statusCode, 403, 'the admission ended with the proxy booking');
    const again = await joinQueue(ctx.app, 'demo', auth, 'child-phone-01');
    assert.ok(again.ticket, 'the child can queue again for their own booking');
  });

  it('refuses a proxy booking where the campaign bans it', async () => {
    const auth = await verifyAs(ctx.app, child.rrn, child.name);
    const h = await admitted(ctx.app, ctx.services, clock, 'no-proxy', auth, 'child-phone-01');
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/campaigns/no-proxy/bookings',
      headers: { ...h, 'idempotency-key': 'for-mum-0002' },
      payload: { slotId: slots['no-proxy'], forPerson: { rrn: parent.rrn, name: parent.name } },
    });
    assert.equal(res.json().code, 'proxy-banned');
  });
});
