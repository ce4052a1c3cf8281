import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../src/platform/clock.ts';
import { makeRrn } from '../../src/people/rrn.ts';
import { pgliteForTest, type TestDatabase } from '../support/databases.ts';
import { newBookableCampaign, newFacility, newSlotPair, newVerifiablePeople, dateAfter } from '../support/factories.ts';
import { testApp, testConfig } from '../support/services.ts';
import { admitted } from '../support/queue.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');

describe('a citizen books over HTTP (embedded PGlite)', () => {
  let tdb: TestDatabase;
  let app: Awaited<ReturnType<typeof testApp>>['app'];
  let services: Awaited<ReturnType<typeof testApp>>['services'];
  const clock = fixedClock(NOW);
  const rrn = makeRrn('1968-05-05', 'F', 4321);
  let slotId = 0;
  let otherSlotId = 0;

  before(async () => {
    tdb = await pgliteForTest();
    await newVerifiablePeople(tdb.db, testConfig().identityHmacKey, [{ rrn, name: '김하나' }]);
    const bookable = await newBookableCampaign(tdb.db, NOW, 'F-JOURNEY');
    const campaign = bookable.campaign;
    slotId = bookable.slotId;
    // At another facility: changing to it reads that facility inside the change's transaction (on
    // PGlite's one connection, a read outside it would wait forever).
    const otherFacility = await newFacility(tdb.db, 'F-JOURNEY-2');
    otherSlotId = (
      await newSlotPair(tdb.db, {
        campaignId: campaign.id,
        facilityId: otherFacility.id,
        date: dateAfter(NOW, 4),
        capacity: 10,
      })
    ).dose1.id;
    ({ app, services } = await testApp(tdb, clock));
  });
  after(async () => {
    await app.close();
    await tdb.close();
  });

  async function verify() {
    const res = await app.inject({
      method: 'POST',
      url: '/api/identity/verify',
      payload: { providerId: 'pass', rrn, name: '김하나' },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().sessionToken as string;
  }

  it('verifies, queues, is admitted, checks eligibility, finds a slot, books both doses, sees the booking and cancels it', async () => {
    const token = await verify();
    const session = { authorization: `Bearer ${token}` };
    const auth = await admitted(app, services, clock, 'demo', session, 'device-journey-1');

    const elig = await app.inject({ url: '/api/campaigns/demo/eligibility', headers: auth });
    assert.equal(elig.json().status, 'eligible');
    const slots = await app.inject({ url: '/api/campaigns/demo/slots', headers: auth });
    assert.deepEqual(
      slots.json().slots.map((s: { slotId: number }) => s.slotId),
      [slotId, otherSlotId],
    );

    const booked = await app.inject({
      method: 'POST',
      url: '/api/campaigns/demo/bookings',
      headers: { ...auth, 'idempotency-key': 'journey-0001' },
      payload: { slotId },
    });
    assert.equal(booked.statusCode, 201, booked.body);
    const booking = booked.json();
    assert.equal(booking.dose1.date, dateAfter(NOW, 3));
    assert.equal(booking.dose2.date, dateAfter(NOW, 3 + 21));

    const mine = await app.inject({ url: '/api/bookings', headers: session });
    assert.deepEqual(
      mine.json().bookings.map((b: { bookingNumber: string }) => b.bookingNumber),
      [booking.bookingNumber],
    );
    // The admission ended with the booking: the token opens nothing any more.
    const again = await app.inject({ url: '/api/campaigns/demo/eligibility', headers: auth });
    assert.equal(again.json().code, 'admission-used');

    // Changing needs no new admission: the active booking is the permission to see where it can move.
    const options = await app.inject({ url: `/api/bookings/${booking.bookingNumber}/slots`, headers: session });
    assert.equal(options.statusCode, 200, options.body);
    assert.ok(options.json().slots.some((s: { slotId: number }) => s.slotId === otherSlotId));
    const strangers = await app.inject({ url: '/api/bookings/AAAA-BBBB-CCCC/slots', headers: session });
    assert.equal(strangers.json().code, 'booking-not-found');

    const changed = await app.inject({
      method: 'PATCH',
      url: `/api/bookings/${booking.bookingNumber}`,
      headers: auth,
      payload: { slotId: otherSlotId },
    });
    assert.equal(changed.json().dose1.date, dateAfter(NOW, 4));
    const cancelled = await app.inject({
      method: 'DELETE',
      url: `/api/bookings/${booking.bookingNumber}`,
      headers: auth,
    });
    assert.equal(cancelled.statusCode, 200);
    assert.equal(cancelled.json().status, 'cancelled');
    const afterCancel = await app.inject({ url: `/api/bookings/${booking.bookingNumber}/slots`, headers: session });
    assert.equal(afterCancel.json().code, 'booking-not-found', 'a cancelled booking opens no slot search');
    const seats = await tdb.db.selectFrom('slots').select(['booked']).where('campaign_id', '=', 'demo').execute();
    assert.ok(seats.every((s) => s.booked === 0));
  });

  it('answers bad input with a 400 problem naming the field, never a 500', async () => {
    const token = await verify();
    const res = await app.inject({
      method: 'POST',
      url: '/api/campaigns/demo/bookings',
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'bad-input-01' },
      payload: { slotId: 'abc' },
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(res.json().code, 'validation');
    assert.deepEqual(
      res.json().errors.map((e: { field: string }) => e.field),
      ['body/slotId'],
    );

    const noKey = await app.inject({
      method: 'POST',
      url: '/api/campaigns/demo/bookings',
      headers: { authorization: `Bearer ${token}` },
      payload: { slotId },
    });
    assert.equal(noKey.statusCode, 400);
    assert.deepEqual(
      noKey.json().errors.map((e: { field: string }) => e.field),
      ['headers/idempotency-key'],
    );

    const badJson = await app.inject({
      method: 'POST',
      url: '/api/identity/verify',
      headers: { 'content-type': 'application/json' },
      payload: '{"rrn":',
    });
    assert.equal(badJson.statusCode, 400);
  });

  it('refuses an impossible RRN, an unknown one, a wrong name, and a request without a session, with stable codes', async () => {
    const impossible = '681345-2000000';
    const r0 = await app.inject({
      method: 'POST',
      url: '/api/identity/verify',
      payload: { providerId: 'pass', rrn: impossible, name: '김하나' },
    });
    assert.equal(r0.json().code, 'invalid-rrn');
    assert.equal(r0.body.includes(impossible), false);
    // Numbers issued since October 2020 end in a random digit, so a wrong last digit is not refused
    // as malformed; it is simply not this person.
    const otherLastDigit = rrn.slice(0, -1) + String((Number(rrn.slice(-1)) + 1) % 10);
    const r1 = await app.inject({
      method: 'POST',
      url: '/api/identity/verify',
      payload: { providerId: 'pass', rrn: otherLastDigit, name: '김하나' },
    });
    assert.equal(r1.json().code, 'identity-mismatch');
    assert.equal(r1.body.includes(otherLastDigit), false);
    const r2 = await app.inject({
      method: 'POST',
      url: '/api/identity/verify',
      payload: { providerId: 'pass', rrn, name: '김두울' },
    });
    assert.equal(r2.statusCode, 401);
    assert.equal(r2.json().code, 'identity-mismatch');
    const r3 = await app.inject({ url: '/api/campaigns/demo/eligibility' });
    assert.equal(r3.statusCode, 401);
    assert.equal(r3.json().code, 'unauthenticated');
  });

  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
    assert.equal((await app.inject({ url: '/readyz' })).json().status, 'ready');
    const metrics = (await app.inject({ url: '/metrics' })).body;
    assert.match(metrics, /http_request_duration_seconds_bucket/);
    // The journey's booking went out alone (nothing else was in flight): a batch of one.
    assert.match(metrics, /booking_write_batch_size_bucket\{le="1"\} [1-9]/);
    const doc = await app.inject({ url: '/docs/json' });
    assert.ok(Object.keys(doc.json().paths).includes('/api/campaigns/{campaignId}/bookings'));
  });
});
