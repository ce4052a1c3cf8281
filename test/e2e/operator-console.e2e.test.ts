/**
 * The operator console in a real browser: an operator signs in, edits a campaign's rules (a bad
 * rule lists its problems, a good one previews who could book at an instant, and saves as a new
 * version), watches the live dashboard and pauses, resumes and pins admission; a viewer can look
 * but not change. Each step is checked against the server's state, not only the page.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { latestVersionNumber } from '../../src/campaigns/campaign.repository.ts';
import {
  joinOverApi,
  launchBrowser,
  onFailureScreenshot,
  screenshot,
  seriousA11yViolations,
  startSite,
  type SiteServer,
} from '../support/browser.ts';

const DESKTOP = { width: 1280, height: 900 };

describe('operator console in a browser', () => {
  let site: SiteServer;
  let browser: Browser | undefined;

  before(async () => {
    site = await startSite({ opensInMs: 0 });
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  async function signIn(t: TestContext, username: string, password: string): Promise<Page | undefined> {
    browser ??= await launchBrowser(t);
    if (!browser) return undefined;
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    page.setDefaultTimeout(45_000);
    await page.goto(`${site.baseUrl}/console/`);
    await page.getByLabel('아이디').waitFor();
    assert.deepEqual(await seriousA11yViolations(page), [], 'sign-in page: no serious accessibility violations');
    await page.getByLabel('아이디').fill(username);
    await page.getByLabel('비밀번호').fill(password);
    await page.getByRole('button', { name: '로그인' }).click();
    await page.getByRole('heading', { name: '실시간 현황' }).waitFor();
    return page;
  }

  it('keeps a campaign picked the instant the list arrives (the default never overwrites it)', async (t) => {
    const page = await signIn(t, 'operator', 'yeyak-operator-demo');
    if (!page) return;
    await onFailureScreenshot(
      () => page,
      'console-editor-early-pick',
      async () => {
        // A slow machine lets a person (or Playwright) pick before the page's own effects run: a
        // MutationObserver picks the round in the same task the option is rendered in.
        await page.evaluate((round) => {
          new MutationObserver((_, observer) => {
            const select = document.getElementById('editor-campaign') as HTMLSelectElement | null;
            if (!select || !Array.from(select.options).some((o) => o.value === round)) return;
            observer.disconnect();
            select.value = round;
            select.dispatchEvent(new Event('change', { bubbles: true }));
          }).observe(document.body, { childList: true, subtree: true });
        }, '2021-08-18-49');
        await page.getByRole('button', { name: '캠페인 규칙' }).click();
        const editor = page.getByLabel('규칙 (JSON)');
        await page.waitForFunction(
          (el) => ((el as HTMLTextAreaElement | null)?.value ?? '').length > 0,
          await editor.elementHandle(),
        );
        // Give a late default every chance to land, then check the pick held, in the select and the text.
        await page.waitForTimeout(300);
        assert.equal(await page.getByLabel('캠페인', { exact: true }).inputValue(), '2021-08-18-49');
        assert.match(await editor.inputValue(), /"id": "2021-08-18-49"/);
      },
    );
    await page.context().close();
  });

  it('edits a campaign: a bad rule shows its problems, a good one previews and saves', async (t) => {
    const page = await signIn(t, 'operator', 'yeyak-operator-demo');
    if (!page) return;
    await onFailureScreenshot(
      () => page,
      'console-editor',
      async () => {
        await page.getByRole('button', { name: '캠페인 규칙' }).click();
        await page.getByLabel('캠페인', { exact: true }).selectOption('2021-08-18-49');
        const editor = page.getByLabel('규칙 (JSON)');
        // A textarea's value, not its text (Preact sets the value property only).
        await page.waitForFunction(
          (el) => (el as HTMLTextAreaElement | null)?.value.includes('"2021-08-18-49"') ?? false,
          await editor.elementHandle(),
        );
        const good = JSON.parse(await editor.inputValue());

        // Born after the cohort ends, and a rotation of zero days: both problems are listed.
        const bad = structuredClone(good);
        bad.cohorts[0].bornFrom = '2004-01-01';
        bad.phases[0].days = 0;
        await editor.fill(JSON.stringify(bad, null, 2));
        await page.getByRole('button', { name: '검사' }).click();
        const problems = page.getByTestId('rule-problems');
        await problems.waitFor();
        const listed = await problems.locator('li').allInnerTexts();
        assert.ok(
          listed.some((p) => p.includes('/cohorts/0')),
          `a cohort problem is listed: ${listed.join(' | ')}`,
        );
        assert.ok(
          listed.some((p) => p.includes('/phases/0')),
          `a rotation problem is listed: ${listed.join(' | ')}`,
        );
        await screenshot(page, 'console-editor-problems');

        // The real rules at 10 Aug 2021 20:30 Seoul: rotation day 2, birth days ending in 0.
        await editor.fill(JSON.stringify(good, null, 2));
        await page.getByLabel('미리보기 시각 (한국 시간)').fill('2021-08-10T20:30');
        await page.getByRole('button', { name: '미리보기' }).click();
        const preview = page.getByTestId('preview');
        await preview.waitFor();
        const expected = site
          .birthDates()
          .filter((d) => d >= '1972-01-01' && d <= '2003-12-31' && Number(d.slice(8)) % 10 === 0).length;
        assert.ok(expected > 0);
        await preview.getByText(`이 시각에 예약할 수 있는 사람: ${expected.toLocaleString('ko-KR')}명`).waitFor();
        await preview.getByText('생일 끝자리: 0').waitFor();
        await screenshot(page, 'console-editor-preview');
        assert.deepEqual(await seriousA11yViolations(page), [], 'editor: no serious accessibility violations');

        const before = await latestVersionNumber(site.services.db, '2021-08-18-49');
        await page.getByRole('button', { name: '저장', exact: true }).click();
        await page.getByText(`저장했습니다: 2021-08-18-49 v${before + 1}`).waitFor();
        assert.equal(await latestVersionNumber(site.services.db, '2021-08-18-49'), before + 1);
      },
    );
    await page.context().close();
  });

  it('shows the live dashboard and pauses, resumes and pins admission', async (t) => {
    const page = await signIn(t, 'operator', 'yeyak-operator-demo');
    if (!page) return;
    const queue = () => site.services.waitingRoom.queueView('demo');
    await onFailureScreenshot(
      () => page,
      'console-dashboard',
      async () => {
        await page.getByTestId('slots-by-region').waitFor();
        assert.equal((await page.locator('.chart canvas').count()) >= 4, true, 'four uPlot charts are drawn');
        await page.getByTestId('queue-state').filter({ hasText: '진행 중' }).waitFor();
        // The people booking are shown with the session limit admission keeps them under.
        await page
          .getByTestId('stat-active')
          .filter({ hasText: /명 \(한도 [\d,]+명\)$/ })
          .waitFor();

        // Pausing asks first: cancelling changes nothing, confirming pauses.
        await page.getByRole('button', { name: '입장 일시정지' }).click();
        await page.getByRole('dialog').getByRole('button', { name: '취소' }).click();
        assert.equal(queue()?.paused, false);
        await page.getByRole('button', { name: '입장 일시정지' }).click();
        await page.getByRole('dialog').getByRole('button', { name: '일시정지', exact: true }).click();
        await page.getByTestId('queue-state').filter({ hasText: '일시정지됨' }).waitFor();
        assert.equal(queue()?.paused, true);
        // 20 people join while admission is paused: the dashboard counts them waiting.
        for (let i = 100; i < 120; i++) await joinOverApi(site, i);
        await page.getByTestId('stat-waiting').filter({ hasText: /^20$/ }).waitFor();
        await page.getByRole('button', { name: '입장 재개' }).click();
        await page.getByRole('dialog').getByRole('button', { name: '재개', exact: true }).click();
        await page.getByTestId('queue-state').filter({ hasText: '진행 중' }).waitFor();
        assert.equal(queue()?.paused, false);
        // Admission moves past them (they are not polling, so they are skipped and keep a grace period).
        await page.getByTestId('stat-waiting').filter({ hasText: /^0$/ }).waitFor();

        await page.getByLabel('입장 속도 고정 (명/초)').fill('40');
        await page.getByRole('button', { name: '고정', exact: true }).click();
        await page.getByTestId('stat-rate').filter({ hasText: '40/초 (고정)' }).waitFor();
        assert.equal(queue()?.pinnedRatePerSec, 40);
        await screenshot(page, 'console-dashboard');
        assert.deepEqual(await seriousA11yViolations(page), [], 'dashboard: no serious accessibility violations');
        await page.getByRole('button', { name: '자동으로' }).click();
        await page.getByTestId('stat-rate').filter({ hasText: '(자동)' }).waitFor();
        assert.equal(queue()?.pinnedRatePerSec, null);
      },
    );
    await page.context().close();
  });

  it('lets a viewer watch but not change admission', async (t) => {
    const page = await signIn(t, 'viewer', 'yeyak-viewer-demo');
    if (!page) return;
    await onFailureScreenshot(
      () => page,
      'console-viewer',
      async () => {
        await page.getByTestId('queue-state').waitFor();
        assert.equal(await page.getByRole('button', { name: '입장 일시정지' }).isDisabled(), true);
        await page.getByText('조회 전용 계정은 변경할 수 없습니다.').first().waitFor();
        // The API refuses the viewer too, whatever the page does.
        const status = await page.evaluate(
          async () =>
            (
              await fetch('/api/operator/campaigns/demo/admission', {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ action: 'pause' }),
              })
            ).status,
        );
        assert.equal(status, 403);
        assert.equal(site.services.waitingRoom.queueView('demo')?.paused, false);
        await screenshot(page, 'console-viewer-read-only');
      },
    );
    await page.context().close();
  });
});
