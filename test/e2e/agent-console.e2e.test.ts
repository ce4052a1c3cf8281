/**
 * Issue 15 item 4 in a real browser: an operator gives the demo campaign's phone lane a share of
 * the admission rate (confirmed), a call-centre agent signs in, verifies a caller through an
 * identity provider, books for them through the lane, and sees the audit entries the booking
 * left; the operator's booking trace shows the agent and the lane. The agent looks up the queue
 * reference a waiting citizen reads out (place, ahead, estimate; a mistyped one is refused), and
 * each lookup is audited. Each step is checked against the server's state, not only the page.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import {
  joinOverApi,
  launchBrowser,
  onFailureScreenshot,
  screenshot,
  seriousA11yViolations,
  startSite,
  type SiteServer,
} from '../support/browser.ts';

const DESKTOP = { width: 1366, height: 900 };

describe('call-centre agent in a browser', () => {
  let site: SiteServer;
  let browser: Browser | undefined;

  before(async () => {
    site = await startSite({ opensInMs: 0 });
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  async function signIn(t: TestContext, username: string, password: string, heading: string) {
    browser ??= await launchBrowser(t);
    if (!browser) return undefined;
    const page: Page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    page.setDefaultTimeout(45_000);
    await page.goto(`${site.baseUrl}/console/`);
    await page.getByLabel('아이디').fill(username);
    await page.getByLabel('비밀번호').fill(password);
    await page.getByRole('button', { name: '로그인' }).click();
    await page.getByRole('heading', { name: heading }).waitFor();
    return page;
  }

  it('verifies a caller, books for them through the phone lane, and shows the audit entries the booking left', async (t) => {
    const operator = await signIn(t, 'operator', 'yeyak-operator-demo', '실시간 현황');
    if (!operator) return;
    let agent: Page | undefined;
    await onFailureScreenshot(
      () => agent ?? operator,
      'console-agent',
      async () => {
        // The operator gives the phone lane 10 % of the demo campaign's admission rate, confirming it.
        const quota = operator.getByTestId('agent-lane-quota');
        await quota.getByText('설정되지 않음: 전화 예약을 받지 않습니다.').waitFor();
        await operator.getByLabel('입장 속도 중 전화 예약 몫 (%)').fill('10');
        await quota.getByRole('button', { name: '설정', exact: true }).click();
        await operator.getByRole('dialog').getByRole('button', { name: '예, 바꿉니다' }).click();
        await operator.getByTestId('lane-done').filter({ hasText: '적용됨: 전화 예약 몫 10%' }).waitFor();

        // The agent's console is the agent page only.
        agent = await signIn(t, 'agent', 'yeyak-agent-demo', '전화 예약 (상담원)');
        assert.ok(agent);
        assert.equal(await agent.getByRole('button', { name: '현황' }).count(), 0, 'no staff tabs for an agent');
        await agent.getByTestId('agent-lane').filter({ hasText: '입장 속도의 10%' }).waitFor();

        // A wrong name is refused by the provider and audited as a failed verification.
        const caller = site.person(3);
        await agent.getByLabel('통화자 이름').fill(`${caller.name}가`);
        await agent.getByLabel('주민등록번호').fill(caller.rrn);
        await agent.getByRole('button', { name: '본인인증' }).click();
        await agent.locator('[data-problem="identity-mismatch"]').waitFor();
        await agent.getByLabel('통화자 이름').fill(caller.name);
        await agent.getByLabel('주민등록번호').fill(caller.rrn);
        await agent.getByRole('button', { name: '본인인증' }).click();
        await agent.getByTestId('caller-verified').filter({ hasText: caller.birthDate }).waitFor();
        assert.equal(await agent.getByLabel('주민등록번호').count(), 0, 'the number field is gone once verified');

        // Search the caller's slots and book the first one.
        await agent.getByRole('button', { name: '검색' }).click();
        const slots = agent.getByTestId('agent-slots');
        await slots.locator('tbody tr').first().waitFor();
        await slots.locator('tbody tr').first().getByRole('button').click();
        const done = agent.getByTestId('agent-done').filter({ hasText: '예약했습니다:' });
        await done.waitFor();
        const bookingNumber = /예약했습니다: ([A-Z0-9-]+)/.exec(await done.innerText())?.[1];
        assert.ok(bookingNumber, 'the page names the booking');
        await agent.getByTestId('caller-bookings').getByRole('cell', { name: bookingNumber, exact: true }).waitFor();

        // The trail on the page: verification (failed, then done), lane admission, booking.
        const trail = agent.getByTestId('agent-trail');
        for (const action of ['agent-verify-failed', 'agent-verify', 'agent-admission', 'agent-booking'])
          await trail.locator(`tr[data-action="${action}"]`).first().waitFor();
        await trail.locator('tr[data-action="agent-booking"]').filter({ hasText: bookingNumber }).waitFor();
        await screenshot(agent, 'console-agent-booking');
        assert.deepEqual(await seriousA11yViolations(agent), [], 'agent page: no serious accessibility violations');

        // The server's state: the booking names a lane admission issued to this caller by this agent.
        const db = site.services.db;
        const booking = await db
          .selectFrom('bookings')
          .innerJoin('agent_admissions', 'agent_admissions.admission_id', 'bookings.admission_id')
          .select(['agent_admissions.agent', 'bookings.status', 'bookings.campaign_id'])
          .where('booking_number', '=', bookingNumber)
          .executeTakeFirstOrThrow();
        assert.deepEqual(booking, { agent: 'agent', status: 'active', campaign_id: 'demo' });
        const entries = await db
          .selectFrom('audit_log')
          .select(['actor_kind', 'action', 'target', 'after'])
          .where('actor', '=', 'agent')
          .where('action', 'like', 'agent-%')
          .orderBy('id')
          .execute();
        assert.deepEqual(
          entries.map((e) => e.action),
          ['agent-verify-failed', 'agent-verify', 'agent-admission', 'agent-booking'],
        );
        assert.ok(entries.every((e) => e.actor_kind === 'agent'));
        assert.equal(entries[3]!.target, bookingNumber);
        assert.equal((entries[3]!.after as { bookingNumber: string }).bookingNumber, bookingNumber);
        assert.ok(!JSON.stringify(entries).includes(caller.rrn.replace('-', '')), 'no RRN in the trail');
        assert.ok(!JSON.stringify(entries).includes(caller.name), 'no name in the trail');

        // The operator's trace shows the agent and the lane; the console's trail has the booking.
        await operator.getByRole('button', { name: '감사 기록' }).click();
        await operator.getByTestId('audit-entries').locator('tr[data-action="agent-booking"]').first().waitFor();
        await operator.getByLabel('예약번호').fill(bookingNumber);
        await operator.getByRole('button', { name: '추적', exact: true }).click();
        await operator.getByTestId('trace-agent').filter({ hasText: 'agent' }).waitFor();
        await operator.getByTestId('trace-lane').filter({ hasText: '전화 예약(상담원) 입장' }).waitFor();
        await screenshot(operator, 'console-agent-trace');

        // A waiting citizen reads out the reference on their page; the agent looks it up (typed as
        // heard: lower case, no dash). Admission is paused so the place stays waiting.
        const wr = site.services.waitingRoom.service;
        assert.ok(wr.pause('demo').ok);
        const reference = (await joinOverApi(site, 20)).status.reference;
        assert.ok(reference, 'the waiting page has a reference');
        await wr.refreshSnapshot('demo');
        const lookup = agent.getByTestId('agent-reference-result');
        await agent.getByLabel('대기 번호', { exact: true }).fill(reference.toLowerCase().replace('-', ''));
        await agent.getByRole('button', { name: '조회', exact: true }).click();
        await lookup
          .locator('[data-state="waiting"]')
          .filter({ hasText: `${reference}: 대기 중` })
          .waitFor();
        assert.match(await lookup.innerText(), /\d+번째 \(앞에 [\d,]+명\)/);
        // Paused: no estimate, and the page says why.
        assert.match(await agent.getByTestId('agent-reference-eta').innerText(), /입장이 일시정지되어/);
        await screenshot(agent, 'console-agent-reference');
        // A mis-heard symbol fails the check symbol: the server's words, not a wrong place.
        await agent
          .getByLabel('대기 번호', { exact: true })
          .fill(`${reference.slice(0, -1)}${reference.endsWith('0') ? '1' : '0'}`);
        await agent.getByRole('button', { name: '조회', exact: true }).click();
        await lookup.locator('[data-problem="queue-reference-invalid"]').waitFor();
        assert.equal(await lookup.locator('[data-state]').count(), 0, 'no place is shown for a bad reference');
        await trail.locator('tr[data-action="agent-reference-lookup"]').nth(1).waitFor();
        assert.deepEqual(
          await seriousA11yViolations(agent),
          [],
          'agent page with a lookup: no serious accessibility violations',
        );
        const lookups = await db
          .selectFrom('audit_log')
          .select(['actor', 'campaign_id', 'target', 'detail'])
          .where('action', '=', 'agent-reference-lookup')
          .orderBy('id')
          .execute();
        assert.deepEqual(
          lookups.map((e) => [e.actor, e.campaign_id, e.target, (e.detail as { outcome: string }).outcome]),
          [
            ['agent', 'demo', `queue-ref:${reference}`, 'waiting'],
            ['agent', 'demo', null, 'bad-reference'],
          ],
        );
        assert.ok(wr.resume('demo').ok);

        // The same page in English.
        await agent.getByRole('button', { name: 'English' }).click();
        await agent.getByRole('heading', { name: 'Phone bookings (call-centre agent)' }).waitFor();
        await agent.getByRole('heading', { name: "2. The caller's bookings" }).waitFor();
        await screenshot(agent, 'console-agent-booking-en');
      },
    );
    await operator.context().close();
    await agent?.context().close();
  });
});
