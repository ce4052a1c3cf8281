/**
 * One test per 2021 back door. Each must be refused with its reason, by server time, whatever
 * the client claims.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../src/platform/clock.ts';
import { makeRrn } from '../../src/people/rrn.ts';
import { identityHashOf } from '../../src/identity/identity-hash.ts';
import { insertPeople } from '../../src/people/people.repository.ts';
import { insertCampaignVersion, setLiveVersion } from '../../src/campaigns/campaign.repository.ts';
import { demoCampaign } from '../../src/eligibility/seed-campaigns.ts';
import { signAdmissionToken } from '../../src/waiting-room/admission-token.ts';
import { deriveKey } from '../../src/platform/signing.ts';
import { pgliteForTest, type TestDatabase } from '../support/databases.ts';
import { newFacility, newSlotPair, dateAfter } from '../support/factories.ts';
import { testApp, testConfig } from '../support/services.ts';
import { joinQueue, poll, runAdmission, verifyAs } from '../support/queue.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');
const OPENS = NOW + 3_600_000;

describe('no back door into booking', () => {
  let tdb: TestDatabase;
  let ctx: Awaited<ReturnType<typeof testApp>>;
  const clock = fixedClock(NOW);
  const people = [makeRrn('1968-05-05', 'F', 11), makeRrn('1967-03-03', 'M', 22), makeRrn('1970-01-09', 'F', 33)];
  const names = ['김하나', '이둘', '박셋'];
  let fullSlot = 0;
  let openSlot = 0;
  const book = (headers: Record<string, string>, slotId: number, key: string) =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/campaigns/demo/bookings',
      headers: { ...headers, 'idempotency-key': key },
      payload: { slotId },
    });

  before(async () => {
    tdb = await pgliteForTest();
    const key = testConfig().identityHmacKey;
    await insertPeople(
      tdb.db,
      people.map((rrn, i) => ({
        identity_hash: identityHashOf(key, rrn.replace('-', '')),
        birth_date: ['1968-05-05', '1967-03-03', '1970-01-09'][i]!,
        name: names[i]!,
        phone: '010-0000-0000',
        region_code: 'KR-11',
      })),
    );
    const rules = demoCampaign(NOW, { opensInMs: OPENS - NOW });
    await insertCampaignVersion(tdb.db, rules.id, 1, rules, 'test');
    await setLiveVersion(tdb.db, rules.id, 1);
    const facility = await newFacility(tdb.db);
    fullSlot = (
      await newSlotPair(tdb.db, { campaignId: 'demo', facilityId: facility.id, date: dateAfter(NOW, 3), capacity: 0 })
    ).dose1.id;
    openSlot = (
      await newSlotPair(tdb.db, { campaignId: 'demo', facilityId: facility.id, date: dateAfter(NOW, 4), capacity: 10 })
    ).dose1.id;
    ctx = await testApp(tdb, clock);
  });
  after(async () => {
    await ctx.app.close();
    await tdb.close();
  });

  it('refuses a booking call with no admission token (the early direct URL, no queue)', async () => {
    const auth = await verifyAs(ctx.app, people[0]!, names[0]!);
    const res = await book(auth, openSlot, 'no-token-01');
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, 'admission-required');
    const elig = await ctx.app.inject({ url: '/api/campaigns/demo/eligibility', headers: auth });
    assert.equal(elig.json().code, 'admission-required');
  });

  it('refuses everything before the opening by server time, even a correctly signed admission and a client clock set later', async () => {
    const auth = await verifyAs(ctx.app, people[0]!, names[0]!);
    const c = await joinQueue(ctx.app, 'demo', auth, 'device-early-01');
    const claimedLater = new Date(OPENS + 60_000).toUTCString();
    const status = await ctx.app.inject({
      url: '/api/campaigns/demo/queue/status',
      headers: {
        ...auth,
        cookie: c.cookie,
        'x-queue-ticket': c.ticket,
        date: claimedLater,
        'x-client-time': String(OPENS + 60_000),
      },
    });
    assert.equal(status.json().state, 'pre-opening');
    const identityHash = identityHashOf(testConfig().identityHmacKey, people[0]!.replace('-', ''));
    const minted = await signAdmissionToken(
      {
        admissionId: 'x'.repeat(22),
        campaignId: 'demo',
        identityHash,
        deviceId: 'device-early-01',
        expiresAtMs: OPENS + 600_000,
      },
      deriveKey(testConfig().signingSecret, 'admission'),
      NOW,
    );
    const res = await book(
      { ...auth, cookie: c.cookie, 'x-admission-token': minted, date: claimedLater },
      openSlot,
      'early-url-1',
    );
    assert.equal(res.json().code, 'before-opening');
    assert.equal(await tdb.db.selectFrom('bookings').select('id').executeTakeFirst(), undefined);
  });

  it('gives a reconnecting device its own place back, never a better one, and refuses a second device', async () => {
    const auth = await verifyAs(ctx.app, people[1]!, names[1]!);
    const first = await joinQueue(ctx.app, 'demo', auth, 'device-phone-01');
    const again = await joinQueue(ctx.app, 'demo', auth, 'device-phone-01');
    assert.equal(again.ticket, first.ticket);
    const other = await ctx.app.inject({
      method: 'POST',
      url: '/api/campaigns/demo/queue',
      headers: auth,
      payload: { deviceId: 'device-laptop-9' },
    });
    assert.equal(other.statusCode, 409);
    assert.equal(other.json().code, 'queue-other-device');
    // A join's device is the client's word, in the body or in the cookie: an unsigned cookie naming
    // the holder's device is the holder, as the body naming it is (a join signs whatever id it
    // joined with, so the cookie's signature never told devices apart on a join).
    const join = (cookie: string, deviceId: string) =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/campaigns/demo/queue',
        headers: { ...auth, cookie },
        payload: { deviceId },
      });
    const stated = await join('yeyak_dev=device-phone-01', 'device-laptop-9');
    assert.equal(stated.statusCode, 200, stated.body);
    assert.equal(stated.json().ticket, first.ticket);
    // A cookie that is no device id is ignored: the body's device is the second device, refused.
    const malformed = await join('yeyak_dev=device%3Aphone-01', 'device-laptop-9');
    assert.equal(malformed.json().code, 'queue-other-device');
    const stolenTicket = await ctx.app.inject({
      url: '/api/campaigns/demo/queue/status',
      headers: { ...auth, cookie: 'yeyak_dev=device-laptop-9', 'x-queue-ticket': first.ticket },
    });
    assert.equal(stolenTicket.json().code, 'queue-other-device');
  });

  it('refuses forged, tampered, expired, replayed and other-person admission tokens', async () => {
    clock.set(OPENS + 1_000);
    const a = await verifyAs(ctx.app, people[2]!, names[2]!);
    const b = await verifyAs(ctx.app, people[0]!, names[0]!);
    const ca = await joinQueue(ctx.app, 'demo', a, 'device-three-1');
    const cb = await joinQueue(ctx.app, 'demo', b, 'device-early-01');
    await runAdmission(ctx.services, clock, 'demo', 3);
    const sa = await poll(ctx.app, 'demo', ca);
    assert.equal(sa.json().state, 'admitted', sa.body);
    const token = sa.json().admission.token as string;
    const hA = { ...a, cookie: ca.cookie };

    const forged = await ctx.app.inject({
      url: '/api/campaigns/demo/eligibility',
      headers: { ...hA, 'x-admission-token': 'eyJhbGciOiJIUzI1NiJ9.e30.forged' },
    });
    assert.equal(forged.json().code, 'admission-invalid');
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, cmp: 'other' })).toString('base64url')}.${s}`;
    assert.equal(
      (
        await ctx.app.inject({
          url: '/api/campaigns/demo/eligibility',
          headers: { ...hA, 'x-admission-token': tampered },
        })
      ).json().reason,
      'bad-signature',
    );
    const otherPerson = await ctx.app.inject({
      url: '/api/campaigns/demo/eligibility',
      headers: { ...b, cookie: cb.cookie, 'x-admission-token': token },
    });
    assert.equal(otherPerson.json().code, 'admission-invalid');
    assert.equal(otherPerson.json().reason, 'other-identity');

    // A booking error (slot full) leaves the person admitted; the admission is consumed once.
    const full = await book({ ...hA, 'x-admission-token': token }, fullSlot, 'replay-key-1');
    assert.equal(full.json().code, 'slot-full');
    assert.equal(full.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.deepEqual(
      full.json().alternatives.map((a: { slotId: number }) => a.slotId),
      [openSlot],
      'the refusal offers the free slot instead',
    );
    const booked = await book({ ...hA, 'x-admission-token': token }, openSlot, 'replay-key-2');
    assert.equal(booked.statusCode, 201, booked.body);
    // Its answer lost, the client retries with the same key: the booking it made, though the admission is used.
    const retried = await book({ ...hA, 'x-admission-token': token }, openSlot, 'replay-key-2');
    assert.equal(retried.statusCode, 201, retried.body);
    assert.equal(retried.json().bookingNumber, booked.json().bookingNumber);
    const replayed = await book({ ...hA, 'x-admission-token': token }, openSlot, 'replay-key-3');
    assert.equal(replayed.json().code, 'admission-used');
    const rows = await tdb.db.selectFrom('bookings').select('admission_id').execute();
    assert.equal(rows.length, 1);

    const sb = await poll(ctx.app, 'demo', cb);
    const tokenB = sb.json().admission.token as string;
    clock.advance(11 * 60_000);
    const expired = await ctx.app.inject({
      url: '/api/campaigns/demo/eligibility',
      headers: { ...b, cookie: cb.cookie, 'x-admission-token': tokenB },
    });
    assert.equal(expired.json().code, 'admission-expired');
    const retriedLate = await book({ ...hA, 'x-admission-token': token }, openSlot, 'replay-key-2');
    assert.equal(
      retriedLate.json().bookingNumber,
      booked.json().bookingNumber,
      'a retry after the token expired still gets its booking',
    );
    assert.equal(
      (await book({ ...hA, 'x-admission-token': token }, openSlot, 'replay-key-4')).json().code,
      'admission-expired',
    );
  });
});
