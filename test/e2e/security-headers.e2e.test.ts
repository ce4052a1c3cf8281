/**
 * Security headers: every answer (page, asset, API, error) carries a content security policy with
 * frame-ancestors 'none', X-Frame-Options DENY, nosniff and no HSTS over plain HTTP (HSTS only with
 * TLS_ENABLED) — documents helmet's whole page set, API answers the part of it that concerns data
 * (security-headers.ts, apiHeadersOf); and the
 * built citizen site, the operator console (signed in, with its charts) and Swagger UI at /docs
 * work in Chromium under that policy, with no violation reported.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, onFailureScreenshot, startSite, type SiteServer } from '../support/browser.ts';
import { pgliteForTest } from '../support/databases.ts';
import { testApp } from '../support/services.ts';
import { systemClock } from '../../src/platform/clock.ts';

/** Opens `path`, runs `steps`, and returns every CSP violation the page reported meanwhile. */
async function violationsOn(
  browser: Browser,
  baseUrl: string,
  path: string,
  steps: (page: Page) => Promise<void>,
): Promise<string[]> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(45_000);
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await onFailureScreenshot(
    () => page,
    `csp-${path.replace(/\W+/g, '-')}`,
    async () => {
      await page.goto(`${baseUrl}${path}`);
      await steps(page);
      await page.waitForLoadState('networkidle');
    },
  );
  await page.context().close();
  return seen;
}

describe('security headers', () => {
  let site: SiteServer;
  let browser: Browser | undefined;
  before(async () => {
    site = await startSite({ opensInMs: 60_000 });
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  it('sends the policy, frame-ancestors none and nosniff on pages, API answers and errors, and no HSTS over HTTP', async () => {
    const documents = ['/', '/console/', '/docs/', '/api/no-such-route'];
    for (const path of [...documents, '/api/campaigns', '/healthz']) {
      const res = await fetch(`${site.baseUrl}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      // A document may load this origin's own resources; an API answer nothing at all.
      assert.match(csp, documents.includes(path) ? /default-src 'self'/ : /^default-src 'none'/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.doesNotMatch(csp, /upgrade-insecure-requests/, path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(res.headers.get('strict-transport-security'), null, path);
    }
  });

  it("sends API and probe answers the data part of helmet's page set, and none of its document headers", async () => {
    const helmetNames = [
      'content-security-policy',
      'cross-origin-opener-policy',
      'cross-origin-resource-policy',
      'origin-agent-cluster',
      'referrer-policy',
      'x-content-type-options',
      'x-dns-prefetch-control',
      'x-download-options',
      'x-frame-options',
      'x-permitted-cross-domain-policies',
      'x-xss-protection',
    ];
    const pick = (res: Response) => Object.fromEntries(helmetNames.map((n) => [n, res.headers.get(n)]));
    const page = pick(await fetch(`${site.baseUrl}/`));
    assert.ok(
      Object.values(page).every((v) => v !== null),
      JSON.stringify(page),
    );
    const api = {
      ...Object.fromEntries(helmetNames.map((n) => [n, null])),
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'cross-origin-resource-policy': page['cross-origin-resource-policy'],
      'x-content-type-options': page['x-content-type-options'],
      'x-frame-options': page['x-frame-options'],
    };
    for (const path of ['/api/campaigns', '/healthz', '/readyz'])
      assert.deepEqual(pick(await fetch(`${site.baseUrl}${path}`)), api, path);
  });

  it('sends HSTS and upgrade-insecure-requests only when TLS_ENABLED says the site is behind TLS', async () => {
    const tdb = await pgliteForTest();
    const { app } = await testApp(tdb, systemClock, undefined, { TLS_ENABLED: 'true' });
    try {
      for (const url of ['/healthz', '/docs/']) {
        const res = await app.inject({ url });
        assert.match(String(res.headers['strict-transport-security']), /max-age=31536000; includeSubDomains/, url);
      }
      // Upgrading a document's subresources; an API answer loads none.
      assert.match(
        String((await app.inject({ url: '/docs/' })).headers['content-security-policy']),
        /upgrade-insecure-requests/,
      );
    } finally {
      await app.close();
      await tdb.close();
    }
  });

  it('lets the citizen site, the signed-in console with its charts and Swagger UI run in Chromium with no violation', async (t) => {
    browser = await launchBrowser(t);
    if (!browser) return;
    const citizen = await violationsOn(browser, site.baseUrl, '/', async (page) => {
      await page.locator('#root button').first().waitFor();
    });
    const console = await violationsOn(browser, site.baseUrl, '/console/', async (page) => {
      await page.getByLabel('아이디').fill('operator');
      await page.getByLabel('비밀번호').fill('yeyak-operator-demo');
      await page.getByRole('button', { name: '로그인' }).click();
      await page.getByRole('heading', { name: '실시간 현황' }).waitFor();
      await page.locator('canvas').first().waitFor();
    });
    const docs = await violationsOn(browser, site.baseUrl, '/docs', async (page) => {
      await page.locator('.swagger-ui .info .title').waitFor();
      await page.locator('.opblock').first().click();
    });
    assert.deepEqual({ citizen, console, docs }, { citizen: [], console: [], docs: [] });
  });
});
