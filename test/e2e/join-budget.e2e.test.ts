/**
 * A join over the process's budget (JOIN_BUDGET_PER_SEC) is refused at once with 429 queue-busy
 * and a Retry-After, before its body is parsed, its session verified or a rate-limit counter touched:
 * the refusal is decided in onRequest, so a request with no session and a malformed body is refused
 * the same way as a good one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixedClock } from '../../src/platform/clock.ts';
import { pgliteForTest, type TestDatabase } from '../support/databases.ts';
import { newLiveCampaign } from '../support/factories.ts';
import { testApp } from '../support/services.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');

describe('join budget over HTTP', () => {
  let tdb: TestDatabase;
  before(async () => {
    tdb = await pgliteForTest();
    await newLiveCampaign(tdb.db, NOW);
  });
  after(async () => {
    await tdb.close();
  });

  it('refuses joins beyond one second of budget with 429 queue-busy before looking at the body or the session', async () => {
    const { app, services } = await testApp(tdb, fixedClock(NOW), undefined, { JOIN_BUDGET_PER_SEC: '3' });
    try {
      const answers = [];
      for (let i = 0; i < 12; i += 1) {
        answers.push(
          await app.inject({
            method: 'POST',
            url: '/api/campaigns/demo/queue',
            headers: { 'content-type': 'application/json' },
            payload: '{"deviceId": not json',
          }),
        );
      }
      const refused = answers.filter((r) => r.statusCode === 429);
      const passed = answers.filter((r) => r.statusCode !== 429);
      // 3 in the bucket, plus what refilled while 12 requests ran (well under a second).
      assert.ok(passed.length >= 3 && passed.length <= 5, `passed the budget: ${passed.length}`);
      assert.ok(
        passed.every((r) => r.statusCode === 400),
        'within budget, the malformed body is then refused as such',
      );
      assert.equal(refused.length + passed.length, 12);
      for (const r of refused) {
        assert.equal(r.json().code, 'queue-busy');
        assert.match(String(r.headers['content-type']), /application\/problem\+json/);
        assert.ok(Number(r.headers['retry-after']) >= 5, 'Retry-After spreads the return');
      }
      const queue = services.waitingRoom.queueView('demo');
      assert.equal(queue?.tail, 0, 'nobody joined');
    } finally {
      await app.close();
    }
  });
});
