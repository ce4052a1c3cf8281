/**
 * Issue 15 in a real browser: a rule change reviewed and approved by a second person (the author
 * cannot approve; the diff shows the counts), the audit entries each operator action leaves, a
 * booking traced to its queue admission, and charts filled from the server's history right after
 * a fresh login. Each step is checked against the server's state, not only the page.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import {
  launchBrowser,
  onFailureScreenshot,
  screenshot,
  seriousA11yViolations,
  startSite,
  type SiteServer,
} from '../support/browser.ts';

const DESKTOP = { width: 1280, height: 900 };
const ROUND = '2021-08-18-49';

describe('operator review, audit and history in a browser', () => {
  let site: SiteServer;
  let browser: Browser | undefined;

  before(async () => {
    site = await startSite({ opensInMs: 0, env: { DASHBOARD_SAMPLE_MS: '200', PUBLISH_POLL_MS: '200' } });
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
    await page.getByLabel('아이디').fill(username);
    await page.getByLabel('비밀번호').fill(password);
    await page.getByRole('button', { name: '로그인' }).click();
    await page.getByRole('heading', { name: '실시간 현황' }).waitFor();
    return page;
  }

  const liveVersion = async () =>
    (
      await site.services.db
        .selectFrom('campaigns')
        .select('live_version')
        .where('id', '=', ROUND)
        .executeTakeFirstOrThrow()
    ).live_version;

  it('reviews a widened 2021 round: the diff counts who gains, the author cannot approve, an approver approves, publish asks first', async (t) => {
    const author = await signIn(t, 'operator', 'yeyak-operator-demo');
    if (!author) return;
    const liveBefore = await liveVersion();
    let approver: Page | undefined;
    await onFailureScreenshot(
      () => approver ?? author,
      'console-review',
      async () => {
        // The operator widens the 18-49 round to people born in 1971 and saves: it waits for review.
        await author.getByRole('button', { name: '캠페인 규칙' }).click();
        await author.getByLabel('캠페인', { exact: true }).selectOption(ROUND);
        const editor = author.getByLabel('규칙 (JSON)');
        // A textarea's value, not its text (Preact sets the value property only).
        await author.waitForFunction(
          ([el, round]) => (el as HTMLTextAreaElement | null)?.value.includes(`"${round}"`) ?? false,
          [await editor.elementHandle(), ROUND] as const,
        );
        const rules = JSON.parse(await editor.inputValue());
        rules.cohorts[0].bornFrom = '1971-01-01';
        rules.phases.find((p: { id: string }) => p.id === 'catch-up-36-49').bornFrom = '1971-01-01';
        await editor.fill(JSON.stringify(rules, null, 2));
        await author.getByRole('button', { name: '저장', exact: true }).click();
        await author.getByText(`저장했습니다: ${ROUND} v${rules.version} — 검토 대기 중`).waitFor();
        assert.equal(await liveVersion(), liveBefore, 'saving does not make it live');

        // The author sees the impact but may not approve (an operator, and the author).
        await author.getByRole('button', { name: '검토·적용' }).click();
        const gains = site.birthDates().filter((d) => d.startsWith('1971-')).length;
        assert.ok(gains > 0, 'the demo population has people born in 1971');
        await author
          .getByTestId('impact-gains')
          .filter({ hasText: `새로 예약 가능: ${gains.toLocaleString('ko-KR')}명` })
          .waitFor();
        await author.getByTestId('impact-loses').filter({ hasText: '예약 불가로 바뀜: 0명' }).waitFor();
        const digit9 = site.birthDates().filter((d) => d.startsWith('1971-') && Number(d.slice(8)) % 10 === 9).length;
        if (digit9 > 0)
          await author
            .getByTestId('impact-groups')
            .getByRole('row')
            .filter({ hasText: '1971' })
            .filter({ hasText: `${digit9}` })
            .first()
            .waitFor();
        assert.equal(await author.getByRole('button', { name: '승인', exact: true }).isDisabled(), true);
        await screenshot(author, 'console-review-impact');
        assert.deepEqual(await seriousA11yViolations(author), [], 'review page: no serious accessibility violations');

        // The approver writes a version of their own: the page and the server refuse their approval of it.
        approver = await signIn(t, 'approver', 'yeyak-approver-demo');
        assert.ok(approver);
        const own = await approver.evaluate(
          async ({ id, doc }) => {
            const me = (await (await fetch('/api/operator/me')).json()) as { csrfToken: string };
            const h = { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken };
            const saved = await fetch('/api/operator/campaigns', {
              method: 'POST',
              headers: h,
              body: JSON.stringify({ rules: doc }),
            });
            const approve = await fetch(`/api/operator/reviews/${id}/${doc.version}/approve`, {
              method: 'POST',
              headers: { 'x-csrf-token': me.csrfToken },
            });
            return { saved: saved.status, approve: approve.status, code: (await approve.json()).code };
          },
          { id: ROUND, doc: { ...rules, version: rules.version + 1 } },
        );
        assert.deepEqual(own, { saved: 201, approve: 403, code: 'review-own-version' });
        await approver.getByRole('button', { name: '검토·적용' }).click();
        await approver.getByTestId('approve-own').waitFor();
        assert.equal(await approver.getByRole('button', { name: '승인', exact: true }).isDisabled(), true);
        await approver.getByRole('button', { name: '철회' }).click();
        await approver
          .getByTestId('review-done')
          .filter({ hasText: `철회했습니다: ${ROUND} v${rules.version + 1}` })
          .waitFor();

        // The approver approves the operator's version, then publishes it, confirming first.
        await approver.getByRole('button', { name: `영향 보기 ${ROUND} v${rules.version}` }).click();
        await approver
          .getByTestId('impact-gains')
          .filter({ hasText: `${gains.toLocaleString('ko-KR')}명` })
          .waitFor();
        await approver.getByRole('button', { name: '승인', exact: true }).click();
        await approver
          .getByTestId('review-done')
          .filter({ hasText: `승인했습니다: ${ROUND} v${rules.version}` })
          .waitFor();
        assert.equal(await liveVersion(), liveBefore, 'approval does not make it live');
        await approver.getByRole('button', { name: '지금 적용' }).click();
        await approver.getByRole('dialog').getByText('지금 적용할까요?').waitFor();
        await approver.getByRole('dialog').getByRole('button', { name: '적용', exact: true }).click();
        await approver
          .getByTestId('review-done')
          .filter({ hasText: `적용했습니다: ${ROUND} v${rules.version}` })
          .waitFor();
        assert.equal(await liveVersion(), rules.version);
        await screenshot(approver!, 'console-review-published');
      },
    );
    await author.context().close();
    await approver?.context().close();
  });

  it('shows the audit entries each action leaves and traces a booking to its queue admission', async (t) => {
    const failed = await fetch(`${site.baseUrl}/api/operator/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'operator', password: 'wrong-password' }),
    });
    assert.equal(failed.status, 401);
    const page = await signIn(t, 'operator', 'yeyak-operator-demo');
    if (!page) return;
    const bookingNumber = await bookThroughQueue(site, 7);
    await onFailureScreenshot(
      () => page,
      'console-audit',
      async () => {
        await page.getByTestId('queue-state').filter({ hasText: '진행 중' }).waitFor();
        await page.getByRole('button', { name: '입장 일시정지' }).click();
        await page.getByRole('dialog').getByRole('button', { name: '일시정지', exact: true }).click();
        await page.getByTestId('queue-state').filter({ hasText: '일시정지됨' }).waitFor();
        await page.getByRole('button', { name: '입장 재개' }).click();
        await page.getByRole('dialog').getByRole('button', { name: '재개', exact: true }).click();
        await page.getByTestId('queue-state').filter({ hasText: '진행 중' }).waitFor();
        await page.getByLabel('입장 속도 고정 (명/초)').fill('25');
        await page.getByRole('button', { name: '고정', exact: true }).click();
        await page.getByTestId('stat-rate').filter({ hasText: '25/초 (고정)' }).waitFor();

        await page.getByRole('button', { name: '감사 기록' }).click();
        const table = page.getByTestId('audit-entries');
        for (const action of [
          'login',
          'login-failed',
          'campaign-save',
          'campaign-approve',
          'campaign-publish',
          'campaign-withdraw',
          'admission-pause',
          'admission-resume',
          'admission-pin',
        ]) {
          await table.locator(`tr[data-action="${action}"]`).first().waitFor();
        }
        await table
          .locator('tr[data-action="admission-pin"]')
          .filter({ hasText: '"pinnedRatePerSec":25' })
          .first()
          .waitFor();
        // Filtered to one action, in the page and in the database alike.
        await page.getByLabel('작업').selectOption('admission-pause');
        await page.getByRole('button', { name: '검색' }).click();
        // The unfiltered rows stay on screen until the filtered answer arrives: wait for them to go.
        await table.locator('tbody tr:not([data-action="admission-pause"])').first().waitFor({ state: 'detached' });
        await table.locator('tr[data-action="admission-pause"]').first().waitFor();
        assert.equal(await table.locator('tbody tr:not([data-action="admission-pause"])').count(), 0);
        const pauses = await site.services.db
          .selectFrom('audit_log')
          .select(['actor', 'before', 'after'])
          .where('action', '=', 'admission-pause')
          .execute();
        assert.ok(
          pauses.some(
            (p) =>
              p.actor === 'operator' &&
              (p.before as { paused: boolean }).paused === false &&
              (p.after as { paused: boolean }).paused === true,
          ),
        );

        await page.getByLabel('예약번호').fill(bookingNumber);
        await page.getByRole('button', { name: '추적' }).click();
        const trace = page.getByTestId('booking-trace');
        await trace.waitFor();
        await page.getByTestId('trace-provider').filter({ hasText: 'pass' }).waitFor();
        await page.getByTestId('trace-matches').filter({ hasText: /^예$/ }).waitFor();
        const booked = await site.services.db
          .selectFrom('bookings')
          .innerJoin('admissions', 'admissions.admission_id', 'bookings.admission_id')
          .select(['admissions.verification_provider', 'admissions.queue_seq'])
          .where('bookings.booking_number', '=', bookingNumber)
          .executeTakeFirstOrThrow();
        assert.equal(booked.verification_provider, 'pass');
        assert.equal(await page.getByTestId('trace-seq').innerText(), String(booked.queue_seq));
        await screenshot(page, 'console-audit-trail');
        assert.deepEqual(await seriousA11yViolations(page), [], 'audit page: no serious accessibility violations');

        await page.getByRole('button', { name: '로그아웃' }).click();
        await page.getByLabel('아이디').waitFor();
        const logouts = await site.services.db
          .selectFrom('audit_log')
          .select('actor')
          .where('action', '=', 'logout')
          .execute();
        assert.ok(logouts.some((l) => l.actor === 'operator'));
      },
    );
    await page.context().close();
  });

  it('fills the charts from the server history right after a fresh login', async (t) => {
    // The sampler runs every 200 ms here: wait for history a poll-only chart could not have yet (2.5 s a poll).
    const deadline = Date.now() + 30_000;
    while ((await site.services.dashboard.history('demo')).samples.length < 40 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    const history = (await site.services.dashboard.history('demo')).samples.length;
    assert.ok(history >= 40, `history samples: ${history}`);
    const page = await signIn(t, 'viewer', 'yeyak-viewer-demo');
    if (!page) return;
    await onFailureScreenshot(
      () => page,
      'console-history',
      async () => {
        const chart = page.locator('figure.chart').first();
        await chart.locator('canvas').waitFor();
        await page.waitForFunction(
          (n) => Number(document.querySelector('figure.chart')?.getAttribute('data-points')) >= n,
          history,
          { timeout: 5_000 },
        );
        await screenshot(page, 'console-history-charts');
      },
    );
    await page.context().close();
  });
});

/** Verifies demo person `index`, queues, waits to be admitted and books the first free slot over HTTP. */
async function bookThroughQueue(site: SiteServer, index: number): Promise<string> {
  const p = site.person(index);
  const json = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${site.baseUrl}${path}`, init);
    const body = (await res.json()) as Record<string, unknown>;
    assert.ok(res.ok, `${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  const post = { method: 'POST', headers: { 'content-type': 'application/json' } };
  const { sessionToken } = (await json('/api/identity/verify', {
    ...post,
    body: JSON.stringify({ providerId: 'pass', rrn: p.rrn, name: p.name }),
  })) as { sessionToken: string };
  const deviceId = `audit-phone-${index}`;
  const session = { authorization: `Bearer ${sessionToken}` };
  // The device cookie is signed by the server: send back the one the join set, as a browser does.
  const joined = await fetch(`${site.baseUrl}/api/campaigns/demo/queue`, {
    ...post,
    headers: { ...post.headers, ...session },
    body: JSON.stringify({ deviceId }),
  });
  assert.equal(joined.status, 200, await joined.clone().text());
  const device = joined.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('yeyak_dev='));
  assert.ok(device, 'the join sets the device cookie');
  const auth = { ...session, cookie: device };
  let { ticket } = (await joined.json()) as { ticket: string };
  let token = '';
  for (let i = 0; i < 120 && !token; i++) {
    const s = (await json('/api/campaigns/demo/queue/status', { headers: { ...auth, 'x-queue-ticket': ticket } })) as {
      ticket: string;
      state: string;
      admission?: { token: string };
    };
    ticket = s.ticket;
    if (s.admission) token = s.admission.token;
    else await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(token, 'admitted within 30 s');
  const gated = { ...auth, 'x-admission-token': token };
  const { slots } = (await json('/api/campaigns/demo/slots?limit=1', { headers: gated })) as {
    slots: { slotId: number }[];
  };
  const booked = (await json('/api/campaigns/demo/bookings', {
    ...post,
    headers: { ...post.headers, ...gated, 'idempotency-key': `audit-trace-${index}` },
    body: JSON.stringify({ slotId: slots[0]!.slotId }),
  })) as { bookingNumber: string };
  return booked.bookingNumber;
}
