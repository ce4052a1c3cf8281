import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../src/platform/clock.ts';
import { loadSeedCampaigns } from '../../src/eligibility/seed-campaigns.ts';
import { insertPeople } from '../../src/people/people.repository.ts';
import { pgliteForTest, type TestDatabase } from '../support/databases.ts';
import { newLiveCampaign } from '../support/factories.ts';
import { testApp } from '../support/services.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');
type App = Awaited<ReturnType<typeof testApp>>['app'];

/** Logs in and returns the headers a browser would send next (cookies + CSRF token). */
async function login(app: App, username: string, password: string) {
  const res = await app.inject({ method: 'POST', url: '/api/operator/login', payload: { username, password } });
  assert.equal(res.statusCode, 200, res.body);
  const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  assert.ok(
    setCookie.some(
      (c) => c.startsWith('yeyak_op=') && /HttpOnly/i.test(c) && /SameSite=Strict/i.test(c) && /Secure/i.test(c),
    ),
  );
  return { cookie, 'x-csrf-token': res.json().csrfToken as string };
}

describe('operator console API', () => {
  let tdb: TestDatabase;
  let app: App;
  const seed = loadSeedCampaigns().find((c) => c.id === '2021-08-18-49')!;

  before(async () => {
    tdb = await pgliteForTest();
    ({ app } = await testApp(tdb, fixedClock(NOW), undefined, {
      OPERATOR_ACCOUNTS: 'op:operator:op-password-1,view:viewer:view-password-1,ap:approver:ap-password-1',
    }));
    await newLiveCampaign(tdb.db, NOW);
    await insertPeople(tdb.db, [
      { identity_hash: 'h1', birth_date: '1985-08-11', name: '가', phone: '010', region_code: 'KR-11' },
      { identity_hash: 'h2', birth_date: '1985-08-21', name: '나', phone: '010', region_code: 'KR-11' },
      { identity_hash: 'h3', birth_date: '1985-08-12', name: '다', phone: '010', region_code: 'KR-11' },
    ]);
  });
  after(async () => {
    await app.close();
    await tdb.close();
  });

  it('refuses a wrong password and requests without a session', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/api/operator/login',
      payload: { username: 'op', password: 'nope-nope' },
    });
    assert.equal(bad.json().code, 'operator-login-failed');
    const anon = await app.inject({ url: '/api/operator/campaigns' });
    assert.equal(anon.json().code, 'operator-unauthenticated');
  });

  it('refuses a state-changing request without the CSRF token', async () => {
    const h = await login(app, 'op', 'op-password-1');
    const res = await app.inject({
      method: 'POST',
      url: '/api/operator/campaigns/validate',
      headers: { cookie: h.cookie },
      payload: { rules: seed },
    });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().code, 'csrf');
  });

  it('lists every problem of a bad rule and previews a good one with population counts', async () => {
    const h = await login(app, 'view', 'view-password-1');
    const broken = { ...structuredClone(seed), timeZone: 'UTC', version: 0 };
    const bad = await app.inject({
      method: 'POST',
      url: '/api/operator/campaigns/validate',
      headers: h,
      payload: { rules: broken },
    });
    assert.equal(bad.statusCode, 422);
    const paths = bad.json().problems.map((p: { path: string }) => p.path);
    assert.ok(paths.includes('/timeZone') && paths.includes('/version'), paths.join(','));

    // 11 Aug 2021 21:00 KST: rotation day 3, digit 1 → the people born on the 11th and 21st.
    const preview = await app.inject({
      method: 'POST',
      url: '/api/operator/campaigns/preview',
      headers: h,
      payload: { rules: seed, at: '2021-08-11T21:00:00+09:00' },
    });
    assert.equal(preview.statusCode, 200, preview.body);
    assert.equal(preview.json().people, 2);
    assert.deepEqual(preview.json().phases[0].birthDayDigits, [1]);
  });

  it('saves a version for review, not live; another person with the approver role approves; publishing makes it live', async () => {
    const next = { ...structuredClone(seed), id: 'demo', version: 2 };
    const viewer = await login(app, 'view', 'view-password-1');
    const refused = await app.inject({
      method: 'POST',
      url: '/api/operator/campaigns',
      headers: viewer,
      payload: { rules: next },
    });
    assert.equal(refused.json().code, 'operator-forbidden');

    const op = await login(app, 'op', 'op-password-1');
    const stale = await app.inject({
      method: 'POST',
      url: '/api/operator/campaigns',
      headers: op,
      payload: { rules: { ...next, version: 5 } },
    });
    assert.equal(stale.statusCode, 422);
    assert.equal(stale.json().problems[0].messages.ko, '2이어야 합니다 (최신 버전 1의 다음 버전)');
    const saved = await app.inject({
      method: 'POST',
      url: '/api/operator/campaigns',
      headers: op,
      payload: { rules: next },
    });
    assert.equal(saved.statusCode, 201, saved.body);
    assert.equal(saved.json().state, 'pending');
    const liveVersion = async () =>
      (await tdb.db.selectFrom('campaigns').select('live_version').where('id', '=', 'demo').executeTakeFirstOrThrow())
        .live_version;
    assert.equal(await liveVersion(), 1, 'a saved version does not go live');

    const byOperator = await app.inject({ method: 'POST', url: '/api/operator/reviews/demo/2/approve', headers: op });
    assert.equal(byOperator.json().code, 'approver-required');
    const publishEarly = await app.inject({
      method: 'POST',
      url: '/api/operator/reviews/demo/2/publish',
      headers: op,
      payload: {},
    });
    assert.equal(publishEarly.json().code, 'review-wrong-state');
    const ap = await login(app, 'ap', 'ap-password-1');
    const approved = await app.inject({ method: 'POST', url: '/api/operator/reviews/demo/2/approve', headers: ap });
    assert.equal(approved.statusCode, 200, approved.body);
    assert.deepEqual([approved.json().state, approved.json().approver], ['approved', 'ap']);
    assert.equal(await liveVersion(), 1, 'an approved version does not go live by itself');

    const published = await app.inject({
      method: 'POST',
      url: '/api/operator/reviews/demo/2/publish',
      headers: op,
      payload: {},
    });
    assert.equal(published.statusCode, 200, published.body);
    assert.equal(published.json().state, 'published');
    assert.equal(await liveVersion(), 2);
    const list = await app.inject({ url: '/api/operator/campaigns', headers: { cookie: op.cookie } });
    assert.deepEqual(
      list.json().campaigns.map((c: { id: string; latestVersion: number }) => [c.id, c.latestVersion]),
      [['demo', 2]],
    );
  });

  it('refuses an approver approving the version they wrote', async () => {
    const ap = await login(app, 'ap', 'ap-password-1');
    const latest = (await app.inject({ url: '/api/operator/campaigns', headers: { cookie: ap.cookie } })).json()
      .campaigns[0].latestVersion as number;
    const rules = { ...structuredClone(seed), id: 'demo', version: latest + 1 };
    const saved = await app.inject({ method: 'POST', url: '/api/operator/campaigns', headers: ap, payload: { rules } });
    assert.equal(saved.statusCode, 201, saved.body);
    const own = await app.inject({
      method: 'POST',
      url: `/api/operator/reviews/demo/${latest + 1}/approve`,
      headers: ap,
    });
    assert.equal(own.statusCode, 403);
    assert.equal(own.json().code, 'review-own-version');
    const row = await tdb.db
      .selectFrom('campaign_reviews')
      .select(['state', 'approver'])
      .where('campaign_id', '=', 'demo')
      .where('version', '=', latest + 1)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { state: 'pending', approver: null });
  });

  it('serves a dashboard of counts with no personal data', async () => {
    const h = await login(app, 'view', 'view-password-1');
    const res = await app.inject({ url: '/api/operator/dashboard?campaignId=demo', headers: { cookie: h.cookie } });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(Object.keys(res.json()).sort(), [
      'atMs',
      'bookings',
      'campaignId',
      'etaError',
      'latency',
      'queue',
      'slotsLeftByRegion',
      'turnNotices',
    ]);
    assert.equal(/010|rrn|name/i.test(res.body), false);
  });
});
