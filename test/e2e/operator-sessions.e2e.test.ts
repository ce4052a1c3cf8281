/**
 * Issue 11, abuse 9: operator login is throttled per account and per address with a lock-out,
 * logout ends the token, and a CSRF token works only in the session it was made for.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../src/platform/clock.ts';
import { pgliteForTest, type TestDatabase } from '../support/databases.ts';
import { newLiveCampaign } from '../support/factories.ts';
import { testApp } from '../support/services.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');
type App = Awaited<ReturnType<typeof testApp>>['app'];
const ACCOUNTS = 'op:operator:op-password-1,view:viewer:view-password-1,alt:viewer:alt-password-1';

const cookiesOf = (res: Awaited<ReturnType<App['inject']>>) =>
  Object.fromEntries(res.cookies.map((c) => [c.name, c.value]));
const header = (jar: Record<string, string>) =>
  Object.entries(jar)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');

describe('operator sessions', () => {
  let tdb: TestDatabase;
  let app: App;
  const clock = fixedClock(NOW);
  const login = (username: string, password: string, remoteAddress = '10.0.0.1', cookie?: string) =>
    app.inject({
      method: 'POST',
      url: '/api/operator/login',
      remoteAddress,
      payload: { username, password },
      ...(cookie ? { headers: { cookie } } : {}),
    });

  before(async () => {
    tdb = await pgliteForTest();
    ({ app } = await testApp(tdb, clock, undefined, { OPERATOR_ACCOUNTS: ACCOUNTS }));
    await newLiveCampaign(tdb.db, NOW);
  });
  after(async () => {
    await app.close();
    await tdb.close();
  });

  it('locks an account out after 5 wrong passwords, whatever the address, until the lock-out passes', async () => {
    for (let i = 0; i < 5; i += 1)
      assert.equal((await login('op', 'wrong-password', `10.1.0.${i}`)).json().code, 'operator-login-failed');
    const locked = await login('op', 'op-password-1', '10.1.0.99');
    assert.equal(locked.statusCode, 429);
    assert.equal(locked.json().code, 'operator-locked');
    assert.ok(Number(locked.headers['retry-after']) > 0);
    const attempts = await tdb.db
      .selectFrom('operator_login_attempts')
      .select('id')
      .where('username', '=', 'op')
      .execute();
    assert.equal(attempts.length, 5, 'refused attempts are not recorded (they do not extend the lock)');
    clock.advance(15 * 60_000 + 1);
    assert.equal((await login('op', 'op-password-1', '10.1.0.99')).statusCode, 200);
  });

  it('locks an address out after 20 failures across accounts', async () => {
    for (let i = 0; i < 20; i += 1)
      assert.equal((await login(`guess-${i}`, 'wrong-password', '10.2.0.1')).statusCode, 401);
    assert.equal((await login('view', 'view-password-1', '10.2.0.1')).json().code, 'operator-locked');
    assert.equal((await login('view', 'view-password-1', '10.2.0.2')).statusCode, 200, 'another address is not locked');
  });

  it('makes the token useless after logout (revoked, not only the cookie cleared)', async () => {
    const res = await login('op', 'op-password-1', '10.3.0.1');
    const jar = cookiesOf(res);
    const headers = { cookie: header(jar), 'x-csrf-token': res.json().csrfToken as string };
    assert.equal((await app.inject({ url: '/api/operator/campaigns', headers })).statusCode, 200);
    const out = await app.inject({ method: 'POST', url: '/api/operator/logout', headers });
    assert.equal(out.statusCode, 200, out.body);
    const replayed = await app.inject({ url: '/api/operator/campaigns', headers });
    assert.equal(replayed.statusCode, 401);
    assert.equal(replayed.json().code, 'operator-unauthenticated');
    const rows = await tdb.db
      .selectFrom('operator_sessions')
      .select(['username', 'revoked_at_ms'])
      .where('username', '=', 'op')
      .where('revoked_at_ms', 'is not', null)
      .execute();
    assert.equal(rows.length, 1);
  });

  it('refuses a CSRF token made for another session, even with the same CSRF cookie', async () => {
    // One browser: the second login reuses the first's CSRF secret cookie.
    const first = await login('view', 'view-password-1', '10.4.0.1');
    const firstJar = cookiesOf(first);
    const second = await login('alt', 'alt-password-1', '10.4.0.1', header({ yeyak_csrf: firstJar.yeyak_csrf! }));
    const secondJar = { ...firstJar, ...cookiesOf(second) };
    assert.equal(secondJar.yeyak_csrf, firstJar.yeyak_csrf, 'the CSRF secret is shared');
    const validate = (token: string) =>
      app.inject({
        method: 'POST',
        url: '/api/operator/campaigns/validate',
        headers: { cookie: header(secondJar), 'x-csrf-token': token },
        payload: { rules: {} },
      });
    const foreign = await validate(first.json().csrfToken as string);
    assert.equal(foreign.statusCode, 403);
    assert.equal(foreign.json().code, 'csrf');
    assert.equal(
      (await validate(second.json().csrfToken as string)).statusCode,
      422,
      'its own token passes (the rules are then judged)',
    );
  });
});
