/**
 * The waiting room that reassures (issue 14 items 3 and 7), on a phone (390×844) in a real browser
 * against a real server with the demo seed: the campaign's name, a countdown in the pre-room, "keep
 * this page open"; then, waiting, a progress bar that moves, the entry estimate as a Korea-time
 * clock, the queue reference (and the operator's lookup of it), "paused" with the operator's message
 * set over the operator API and shown within seconds; the admission's time left on the booking page;
 * and seats left, then "sold out" with when more seats open, when the campaign's seats run out.
 */
import { sql } from 'kysely';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  joinOverApi,
  launchBrowser,
  operatorLogin,
  onFailureScreenshot,
  screenshot,
  seriousA11yViolations,
  startSite,
  type SiteServer,
} from '../support/browser.ts';

const PHONE = { width: 390, height: 844 };

async function openPhonePage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    viewport: PHONE,
    deviceScaleFactor: 1,
    locale: 'ko-KR',
    timezoneId: 'Europe/Berlin',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

async function verifyOnPage(page: Page, person: { rrn: string; name: string }) {
  await page.getByRole('heading', { name: '본인인증' }).waitFor();
  await page.locator('.provider').first().waitFor();
  await page.getByLabel('이름', { exact: true }).fill(person.name);
  await page.getByLabel('주민등록번호').fill(person.rrn);
  await page.getByRole('button', { name: '인증하기', exact: true }).click();
}

async function waitUntilOpen(site: SiteServer) {
  const live = await site.services.campaigns.liveCampaign('demo');
  const phase = live?.rules.phases[0];
  assert.ok(phase && phase.kind === 'window');
  const wait = Date.parse(phase.opensAt) - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait + 500));
}

const percentOf = async (page: Page) => Number(await page.getByRole('progressbar').getAttribute('aria-valuenow'));

describe('a waiting room that reassures (phone, Korean)', () => {
  let site: SiteServer;
  let browser: Browser | undefined;

  before(async () => {
    site = await startSite({ opensInMs: 25_000, env: { OPERATOR_ACCOUNTS: 'op:operator:op-password-1' } });
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  it('names the campaign, counts down to the opening and asks to keep the page open', async (t) => {
    browser ??= await launchBrowser(t);
    if (!browser) return;
    const page = await openPhonePage(browser);
    await onFailureScreenshot(
      () => page,
      'waiting-pre-room',
      async () => {
        await page.goto(`${site.baseUrl}/#/c/demo/queue`);
        await verifyOnPage(page, site.person(0));
        await page.getByRole('heading', { name: '예약 시작 전입니다' }).waitFor();
        assert.match(await page.getByTestId('queue-campaign').innerText(), /데모 사전예약/);
        assert.match(await page.getByTestId('queue-keep-open').innerText(), /창을 열어 두세요/);
        const countdown = page.getByTestId('queue-countdown');
        const first = await countdown.innerText();
        assert.match(first, /예약 시작까지 (\d+분 )?\d+초/);
        await page.waitForFunction(
          (before) => document.querySelector('[data-testid="queue-countdown"]')?.textContent !== before,
          first,
          { timeout: 5_000 },
        );
        assert.match(await page.getByTestId('queue-admission-lasts').innerText(), /10분 동안 예약/);
        await screenshot(page, 'waiting-pre-room-countdown');
        assert.deepEqual(await seriousA11yViolations(page), [], 'pre-room: no serious accessibility violations');
      },
    );
    await page.context().close();
  });

  it('shows paused with the operator message, then a moving progress bar, an entry clock time and a reference; then the time left to book', async (t) => {
    browser ??= await launchBrowser(t);
    if (!browser) return;
    const wr = site.services.waitingRoom.service;
    await waitUntilOpen(site);
    assert.ok(wr.pause('demo').ok);
    for (let i = 10; i < 40; i++) await joinOverApi(site, i);
    const page = await openPhonePage(browser);
    await onFailureScreenshot(
      () => page,
      'waiting-room',
      async () => {
        await page.goto(`${site.baseUrl}/#/c/demo/queue`);
        await verifyOnPage(page, site.person(2));
        await page.getByTestId('queue-position').filter({ hasText: /번째/ }).waitFor();
        await page.getByTestId('queue-paused').waitFor();
        assert.match(await page.getByTestId('queue-eta').innerText(), /입장이 다시 시작되면/);
        assert.match(await page.getByTestId('queue-seats-left').innerText(), /남은 자리: [\d,]+석/);

        // The operator's message, set over the operator API, reaches the waiting page within seconds.
        const op = await operatorLogin(site);
        const message = { ko: '시스템 점검으로 20시 10분까지 입장을 멈춥니다.', en: 'Paused for a check until 20:10.' };
        const set = await fetch(`${site.baseUrl}/api/operator/campaigns/demo/admission/settings`, {
          method: 'PUT',
          headers: { ...op, 'content-type': 'application/json' },
          body: JSON.stringify({ plannedRatePerSec: 2, message }),
        });
        assert.equal(set.status, 200, await set.clone().text());
        const shownAt = Date.now();
        await page.getByTestId('queue-message').filter({ hasText: message.ko }).waitFor({ timeout: 15_000 });
        assert.ok(Date.now() - shownAt < 15_000);
        await screenshot(page, 'waiting-paused-operator-message');

        // The reference the page shows is one the operator can look up.
        const reference = (await page.getByTestId('queue-reference').locator('.reference').innerText()).trim();
        assert.match(reference, /^[0-9A-HJKMNP-TV-Z]{4,}-[0-9A-Z*~$=]$/);
        const looked = await fetch(
          `${site.baseUrl}/api/operator/campaigns/demo/queue/references/${encodeURIComponent(reference)}`,
          { headers: { cookie: op.cookie! } },
        );
        assert.equal(looked.status, 200, await looked.clone().text());
        const found = (await looked.json()) as { state: string; position: number; isPaused: boolean };
        assert.equal(found.state, 'waiting');
        assert.ok(found.position >= 31, `30 joined ahead: ${found.position}`);

        // Admission resumes slowly (2 a second): the bar moves and the estimate is a clock time.
        assert.ok(wr.pinRate('demo', 2).ok);
        assert.ok(wr.resume('demo').ok);
        await page.getByTestId('queue-paused').waitFor({ state: 'detached', timeout: 15_000 });
        await page.getByTestId('queue-entry-time').waitFor();
        assert.match(await page.getByTestId('queue-entry-time').innerText(), /입장 예상 시각: \d{2}:\d{2} 무렵/);
        const start = await percentOf(page);
        await page.waitForFunction(
          (p) => Number(document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')) > p,
          start,
          { timeout: 20_000 },
        );
        assert.ok((await percentOf(page)) > start, 'the progress bar moves');
        await screenshot(page, 'waiting-progress-and-entry-time');
        assert.deepEqual(await seriousA11yViolations(page), [], 'waiting page: no serious accessibility violations');

        // Admitted: the booking page shows how long the admission lasts, counting down.
        await page.waitForURL(/#\/c\/demo\/book/, { timeout: 40_000 });
        const left = page.getByTestId('admission-time-left');
        assert.match(await left.innerText(), /예약 가능 시간 (9분 \d+초|10분 0초) 남음/);
        await screenshot(page, 'waiting-admission-time-left');
      },
    );
    await page.context().close();
  });

  it('gives no entry time while every seat left is held by people already let in, and says why', async (t) => {
    browser ??= await launchBrowser(t);
    if (!browser) return;
    const wr = site.services.waitingRoom.service;
    await waitUntilOpen(site);
    assert.ok(wr.pause('demo').ok);
    // Twenty people ahead (over the API, they never come to claim), then this person on the page.
    for (let i = 80; i < 100; i++) await joinOverApi(site, i);
    const page = await openPhonePage(browser);
    await onFailureScreenshot(
      () => page,
      'waiting-seats-held',
      async () => {
        await page.goto(`${site.baseUrl}/#/c/demo/queue`);
        await verifyOnPage(page, site.person(5));
        await page.getByTestId('queue-seats-left').waitFor();
        // Two seats left in the whole campaign: two dose-1 seats on its last date.
        await site.services.db
          .updateTable('slots')
          .set({ booked: sql<number>`capacity` })
          .execute();
        const last = await site.services.db
          .selectFrom('slots')
          .select(['id'])
          .where('campaign_id', '=', 'demo')
          .where('dose', '=', 1)
          .orderBy('date', 'desc')
          .limit(2)
          .execute();
        await site.services.db
          .updateTable('slots')
          .set({ booked: sql<number>`capacity - 1` })
          .where(
            'id',
            'in',
            last.map((r) => r.id),
          )
          .execute();
        for (let i = 0; i < 100; i++) {
          const r = wr.roomStatus('demo');
          if (r.ok && r.value.seats?.seatsLeft === 2) break;
          await new Promise((done) => setTimeout(done, 200));
        }
        const room = wr.roomStatus('demo');
        assert.equal(room.ok && room.value.seats?.seatsLeft, 2, 'the room reads two seats left');
        // The next two are let in for the two seats; the page's person, 21st, waits for seats, not a rate.
        assert.ok(wr.resume('demo').ok);
        await page.getByTestId('queue-eta-seats-held').waitFor({ timeout: 25_000 });
        assert.match(await page.getByTestId('queue-eta-seats-held').innerText(), /남은 2석은 이미 입장한 분들이/);
        assert.equal(await page.getByTestId('queue-entry-time').count(), 0, 'no entry clock time is shown');
        await screenshot(page, 'waiting-seats-held');
      },
    );
    await page.context().close();
  });

  it('shows seats left, and when they run out stops admission and says when more seats open', async (t) => {
    browser ??= await launchBrowser(t);
    if (!browser) return;
    const wr = site.services.waitingRoom.service;
    await waitUntilOpen(site);
    assert.ok(wr.pause('demo').ok);
    for (let i = 50; i < 60; i++) await joinOverApi(site, i);
    const page = await openPhonePage(browser);
    await onFailureScreenshot(
      () => page,
      'waiting-sold-out',
      async () => {
        await page.goto(`${site.baseUrl}/#/c/demo/queue`);
        await verifyOnPage(page, site.person(3));
        await page.getByTestId('queue-seats-left').waitFor();
        // Every seat of the campaign is taken (as if booked elsewhere).
        await site.services.db
          .updateTable('slots')
          .set({ booked: sql<number>`capacity` })
          .execute();
        // The room reads the seats every few seconds; resume only once it has seen none left.
        for (let i = 0; i < 100; i++) {
          const r = wr.roomStatus('demo');
          if (r.ok && r.value.seats?.seatsLeft === 0) break;
          await new Promise((done) => setTimeout(done, 200));
        }
        assert.ok(wr.resume('demo').ok);
        await page.getByTestId('queue-sold-out').waitFor({ timeout: 25_000 });
        assert.match(
          await page.getByTestId('queue-sold-out').innerText(),
          /모두 찼습니다[\s\S]*(열립니다|정해지지 않았습니다)/,
        );
        await page.getByTestId('queue-seats-left').waitFor({ state: 'detached' });
        const room = wr.roomStatus('demo');
        assert.ok(room.ok);
        const cursor = room.value.snapshot!.partitions.reduce((n, p) => n + p.stats.cursor, 0);
        await new Promise((r) => setTimeout(r, 2_000));
        const later = wr.roomStatus('demo');
        assert.ok(later.ok);
        assert.equal(
          later.value.snapshot!.partitions.reduce((n, p) => n + p.stats.cursor, 0),
          cursor,
          'admission stopped: nobody more is let in with no seats to book',
        );
        await screenshot(page, 'waiting-sold-out');
      },
    );
    await page.context().close();
  });
});
