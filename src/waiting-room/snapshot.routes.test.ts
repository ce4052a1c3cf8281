import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { CAMPAIGN, newHarness, OPENS, person } from '../../test/support/waiting-room.ts';
import { SNAPSHOT_CACHE_CONTROL, snapshotRoutes } from './snapshot.routes.ts';

async function served(settings: Parameters<typeof newHarness>[0] = {}) {
  const h = await newHarness({ startMs: OPENS, ...settings });
  for (let i = 1; i <= 5; i += 1) assert.ok((await h.service.joinQueue(person(i))).ok);
  await h.service.refreshSnapshot();
  const app = Fastify();
  await app.register(snapshotRoutes(h.service));
  const get = (headers: Record<string, string> = {}, campaign = CAMPAIGN) =>
    app.inject({ url: `/api/campaigns/${campaign}/queue/snapshot`, headers });
  return { h, app, get };
}

describe('public queue snapshot route', () => {
  it('answers the same public, cacheable document to anyone, with no cookie and no store call per request', async () => {
    const { h, app, get } = await served();
    const callsBefore = h.store.totalCalls();
    const first = await get();
    const second = await get({ cookie: 'yeyak_dev=someone', authorization: 'Bearer x' });
    assert.equal(first.statusCode, 200);
    assert.equal(first.headers['cache-control'], SNAPSHOT_CACHE_CONTROL);
    assert.match(String(first.headers['content-type']), /^application\/json/);
    assert.equal(first.headers['set-cookie'], undefined);
    assert.equal(second.body, first.body, 'a session or cookie changes nothing');
    const doc = first.json();
    assert.equal(doc.campaignId, CAMPAIGN);
    assert.deepEqual(
      doc.partitions.map((p: { cursor: number; tail: number }) => [p.cursor, p.tail]),
      [[0, 5]],
    );
    assert.equal(doc.waiting, 5);
    assert.equal(doc.isOpen, true);
    assert.equal(doc.isPaused, false);
    assert.equal(h.store.totalCalls(), callsBefore, 'served from memory');
    await app.close();
  });

  it('answers 304 to a matching If-None-Match, and a new tag once the counters moved', async () => {
    // A one-sample window: the rate band is then all measured after one refresh. (With a longer
    // window the band moves from the planned rate to the measured one refresh by refresh, which
    // changes the document and its tag, as it should.)
    const { h, app, get } = await served({ settings: { rateWindowSamples: 1 } });
    h.clock.advance(1_000);
    await h.service.refreshSnapshot(); // the rate is measured from the second refresh on
    const first = await get();
    const etag = String(first.headers.etag);
    assert.match(etag, /^W\/"/);
    const again = await get({ 'if-none-match': etag });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    h.clock.advance(1_000);
    await h.service.refreshSnapshot();
    assert.equal(
      (await get({ 'if-none-match': etag })).statusCode,
      304,
      'same counters, same tag, though the server time moved',
    );
    assert.ok((await h.service.joinQueue(person(6))).ok);
    assert.equal(
      (await get({ 'if-none-match': etag })).statusCode,
      304,
      'a join is seen at the next refresh, not before',
    );
    await h.service.refreshSnapshot();
    const moved = await get({ 'if-none-match': etag });
    assert.equal(moved.statusCode, 200);
    assert.notEqual(moved.headers.etag, etag);
    assert.equal(moved.json().partitions[0].tail, 6);
    await app.close();
  });

  it('says when admission is paused, without waiting for a refresh', async () => {
    const { h, app, get } = await served();
    assert.equal((await get()).json().isPaused, false);
    assert.ok(h.service.pause(CAMPAIGN).ok);
    assert.equal((await get()).json().isPaused, true);
    await app.close();
  });

  it('answers 404 for a campaign with no waiting room', async () => {
    const { app, get } = await served();
    const r = await get({}, 'no-such-campaign');
    assert.equal(r.statusCode, 404);
    assert.equal(r.json().code, 'queue-not-found');
    await app.close();
  });
});
