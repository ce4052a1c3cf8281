/**
 * Issue 14, "the citizen's night", in a real browser on a phone-sized screen (390×844): cancel and
 * book again (at the back of the queue), the landing page's region table, Back from the
 * confirmation, the dead ends that now offer a next step, verification errors per field in the
 * page's language, "When can I book?" in order with closed rounds marked, English addresses and
 * what a foreign resident types. Each test saves a screenshot under artifacts/screenshots/.
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

const PHONE = { width: 390, height: 844 };
const HANGUL = /[\uac00-\ud7a3]/;

async function phonePage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1, locale: 'ko-KR' });
  const page = await context.newPage();
  page.setDefaultTimeout(45_000);
  return page;
}

async function verify(page: Page, person: { rrn: string; name: string }, lang: 'ko' | 'en' = 'ko') {
  await page.getByRole('heading', { name: lang === 'ko' ? '본인인증' : 'Verify your identity' }).waitFor();
  await page.locator('.provider').first().waitFor();
  await page.getByLabel(lang === 'ko' ? '이름' : 'Name', { exact: true }).fill(person.name);
  await page.locator('#verify-rrn').fill(person.rrn);
  await page.getByRole('button', { name: lang === 'ko' ? '인증하기' : 'Verify', exact: true }).click();
}

async function toEnglish(page: Page) {
  await page.getByRole('button', { name: 'English' }).click();
}

/** From an admitted queue page to a confirmed booking of the first free slot. */
async function bookFirstSlot(page: Page): Promise<string> {
  await page.waitForURL(/#\/c\/demo\/book/, { timeout: 40_000 });
  await page.locator('[data-eligibility="eligible"]').waitFor();
  await page.getByRole('button', { name: '검색', exact: true }).click();
  await page.getByRole('button', { name: /선택$/ }).first().click();
  await page.getByRole('button', { name: '이대로 예약하기' }).click();
  await page.getByRole('heading', { name: '예약이 완료되었습니다' }).waitFor();
  return (await page.getByTestId('booking-number').innerText()).trim();
}

async function pageHeight(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollHeight);
}

describe("the citizen's night (issue 14) in a browser", () => {
  let site: SiteServer;
  let browser: Browser | undefined;

  before(async () => {
    site = await startSite({ opensInMs: 2_000 });
    await new Promise((r) => setTimeout(r, 2_500));
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  it('item 2: after a cancel the person books again, queueing anew at the back; the question says so', async (t: TestContext) => {
    browser ??= await launchBrowser(t);
    if (!browser) return;
    const page = await phonePage(browser);
    const person = site.person(3);
    const wr = site.services.waitingRoom.service;
    await onFailureScreenshot(
      () => page,
      'night-book-again',
      async () => {
        await page.goto(`${site.baseUrl}/`);
        await page.goto(`${site.baseUrl}/#/c/demo/queue`);
        await verify(page, person);
        const bookingNumber = await bookFirstSlot(page);

        await page.goto(`${site.baseUrl}/#/bookings/${bookingNumber}`);
        await page.getByRole('button', { name: '예약 취소' }).click();
        const question = await page.locator('#cancel-question').innerText();
        assert.match(question, /다시 예약할 수 있/, 'the question says they can book again');
        assert.match(question, /대기열 맨 뒤/, 'and that they queue again at the back');
        await page.getByRole('button', { name: '예, 취소합니다' }).click();
        await page.getByTestId('booking-status').filter({ hasText: '취소됨' }).waitFor();

        // Three people join while admission is paused: the person rejoins behind them.
        assert.ok(wr.pause('demo').ok);
        for (let i = 40; i < 43; i++) await joinOverApi(site, i);
        await page.getByRole('button', { name: /다시 예약하기/ }).click();
        const position = page.getByTestId('queue-position');
        await position.filter({ hasText: /번째/ }).waitFor();
        const n = Number(/(\d+)번째/.exec(await position.innerText())![1]);
        assert.ok(n >= 4, `a new arrival at the back, behind the three who joined: position ${n}`);
        await screenshot(page, 'night-book-again-queued');
        assert.ok(wr.resume('demo').ok);

        const again = await bookFirstSlot(page);
        assert.notEqual(again, bookingNumber);
        const rows = await site.services.db
          .selectFrom('bookings')
          .select(['booking_number', 'status'])
          .where('booking_number', 'in', [bookingNumber, again])
          .execute();
        assert.deepEqual(
          Object.fromEntries(rows.map((r) => [r.booking_number, r.status])),
          { [bookingNumber]: 'cancelled', [again]: 'active' },
          'one active booking at a time',
        );
        await screenshot(page, 'night-book-again-confirmed');

        // Already booked: the queue says so on a page of its own, with a link to the booking (item 1).
        await page.goto(`${site.baseUrl}/#/c/demo/queue`);
        await page.locator('[data-refusal="queue-completed"]').waitFor();
        assert.equal(await page.getByTestId('keep-place').count(), 0, 'no "your place is kept" banner');
        await screenshot(page, 'night-already-booked');
        await page.getByRole('link', { name: '내 예약 보기' }).click();
        await page.getByRole('link', { name: again }).waitFor();
      },
    );
    await page.context().close();
  });

  it('item 1: Back from the confirmation shows a page with a way on, never a blank page with a heading', async (t) => {
    browser ??= await launchBrowser(t);
    if (!browser) return;
    const page = await phonePage(browser);
    await onFailureScreenshot(
      () => page,
      'night-back',
      async () => {
        await page.goto(`${site.baseUrl}/`);
        await page.goto(`${site.baseUrl}/#/c/demo/queue`);
        await verify(page, site.person(8));
        await bookFirstSlot(page);
        await page.goBack();
        await page.waitForTimeout(1_500);
        const main = (await page.locator('main').innerText()).trim();
        const heading = (await page.locator('main h1').innerText()).trim();
        assert.ok(main.length > heading.length + 20, `Back shows more than a heading: ${JSON.stringify(main)}`);
        assert.ok((await page.locator('main a, main button').count()) > 0, 'and a way on');
        await screenshot(page, 'night-back-from-confirmation');
      },
    );
    await page.context().close();
  });

  it('item 1: the region table keeps names whole on a phone, and the page is not thousands of pixels tall', async (t) => {
    browser ??= await launchBrowser(t);
    if (!browser) return;
    const page = await phonePage(browser);
    await onFailureScreenshot(
      () => page,
      'night-landing',
      async () => {
        for (const lang of ['ko', 'en'] as const) {
          await page.goto(`${site.baseUrl}/`);
          if (lang === 'en') await toEnglish(page);
          await page.locator('table.seats tbody tr').nth(16).waitFor();
          // Lines each region name takes: the distinct tops of its text's line boxes.
          const rows = await page.locator('table.seats tbody th[scope="row"]').evaluateAll((ths) =>
            ths.map((th) => {
              const range = document.createRange();
              range.selectNodeContents(th);
              const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
              return { text: th.textContent, lines: tops.size };
            }),
          );
          assert.equal(rows.length, 17, 'all 17 provinces');
          for (const r of rows) assert.equal(r.lines, 1, `${lang}: "${r.text}" on one line, not ${r.lines}`);
          const table = await page.locator('table.seats').evaluate((el) => el.getBoundingClientRect().height);
          assert.ok(table < 18 * 50, `${lang}: the region table is ${table}px tall`);
          const height = await pageHeight(page);
          assert.ok(height < 3_200, `${lang}: the landing page is ${height}px tall on a phone`);
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(width <= PHONE.width, `${lang}: no sideways scrolling (${width}px)`);
          await screenshot(page, `night-landing-${lang}`);
        }
      },
    );
    await page.context().close();
  });

  it('item 1: "When can I book?" lists open rounds first with "book now", closed rounds marked closed', async (t) => {
    browser ??= await launchBrowser(t);
    if (!browser) return;
    const page = await phonePage(browser);
    await onFailureScreenshot(
      () => page,
      'night-schedule',
      async () => {
        await page.goto(`${site.baseUrl}/`);
        // Born in 1968: in the demo cohort and in the 2021 rounds for people in their fifties.
        const born = site.birthDates().find((d) => d.startsWith('1968')) ?? site.person(0).birthDate;
        await page.getByLabel('생년월일').fill(born);
        await page.getByRole('button', { name: '일정 확인' }).click();
        await page.locator('#schedule-answer li[data-opening-state]').first().waitFor();
        const states = await page
          .locator('#schedule-answer li[data-opening-state]')
          .evaluateAll((lis) => lis.map((li) => ({ s: li.getAttribute('data-opening-state'), text: li.textContent })));
        assert.ok(
          states.some((x) => x.s === 'closed'),
          `a 2021 round is listed as closed: ${JSON.stringify(states)}`,
        );
        for (const x of states.filter((y) => y.s === 'closed')) assert.match(x.text ?? '', /마감됨/);
        const open = page.locator('#schedule-answer li[data-opening-state="open"]').first();
        await open.getByRole('button', { name: '지금 예약하기' }).waitFor();
        // Rows in order: open, then upcoming, then closed.
        const rank = { open: 0, upcoming: 1, closed: 2 } as Record<string, number>;
        const firstOfEachRow = await page
          .locator('#schedule-answer ul.schedule > li')
          .evaluateAll((rows) =>
            rows.map((r) => r.querySelector('li[data-opening-state]')?.getAttribute('data-opening-state')),
          );
        const ranks = firstOfEachRow.map((s) => rank[s ?? ''] ?? 9);
        assert.deepEqual(
          ranks,
          [...ranks].sort((a, b) => a - b),
          `rounds in order: ${firstOfEachRow.join(', ')}`,
        );
        assert.deepEqual(await seriousA11yViolations(page), []);
        await screenshot(page, 'night-schedule-ko');
        await open.getByRole('button', { name: '지금 예약하기' }).click();
        await page.waitForURL(/#\/verify\?next=%2Fc%2Fdemo%2Fqueue/);
      },
    );
    await page.context().close();
  });

  it('items 1 and 8: verification errors are field messages in the page language, fields marked; foreign residents are told which number and name', async (t) => {
    browser ??= await launchBrowser(t);
    if (!browser) return;
    const page = await phonePage(browser);
    await onFailureScreenshot(
      () => page,
      'night-verify',
      async () => {
        await page.goto(`${site.baseUrl}/#/verify?next=%2F`);
        await page.locator('.provider').first().waitFor();
        const hints = await page.locator('form').innerText();
        assert.match(hints, /외국인등록번호/, 'which number a foreign resident uses');
        assert.match(hints, /외국인등록증에 적힌 영문 이름/, 'which name a foreign resident uses');
        await page.getByLabel('이름', { exact: true }).fill('홍길동');
        await page.locator('#verify-rrn').fill('68050');
        await page.getByRole('button', { name: '인증하기', exact: true }).click();
        const rrn = page.locator('#verify-rrn');
        await page.locator('#verify-rrn-error').waitFor();
        assert.equal(await rrn.getAttribute('aria-invalid'), 'true');
        assert.match((await rrn.getAttribute('aria-describedby')) ?? '', /verify-rrn-error/);
        const text = await page.locator('main').innerText();
        assert.doesNotMatch(text, /must NOT|body\/rrn/, 'never the validator English');
        assert.match(await page.locator('#verify-rrn-error').innerText(), /13자리/);
        // A 13-digit number the server refuses (bad check digit): also on the field, in Korean.
        await rrn.fill('6805051234560');
        await page.getByRole('button', { name: '인증하기', exact: true }).click();
        await page
          .locator('#verify-rrn-error')
          .filter({ hasText: /유효하지 않은 번호|일치하지 않습니다|숫자 13자리입니다/ })
          .waitFor();
        assert.doesNotMatch(await page.locator('main').innerText(), /[A-Za-z]{4,} (must|should)/);
        assert.deepEqual(await seriousA11yViolations(page), []);
        await screenshot(page, 'night-verify-errors-ko');

        await toEnglish(page);
        await page.locator('#verify-rrn').fill('12');
        await page.getByRole('button', { name: 'Verify', exact: true }).click();
        await page
          .locator('#verify-rrn-error')
          .filter({ hasText: /13 digits/ })
          .waitFor();
        const en = await page.locator('form').innerText();
        assert.match(en, /foreign registration number/);
        assert.match(en, /exactly as on your residence card/);
        await screenshot(page, 'night-verify-errors-en');
      },
    );
    await page.context().close();
  });

  it('item 8: English mode shows facility addresses in English', async (t) => {
    browser ??= await launchBrowser(t);
    if (!browser) return;
    const page = await phonePage(browser);
    await onFailureScreenshot(
      () => page,
      'night-english-addresses',
      async () => {
        await page.goto(`${site.baseUrl}/`);
        await toEnglish(page);
        await page.goto(`${site.baseUrl}/#/c/demo/queue`);
        await verify(page, site.person(5), 'en');
        await page.waitForURL(/#\/c\/demo\/book/, { timeout: 40_000 });
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        await page.locator('li.slot').first().waitFor();
        const slots = await page.locator('li.slot').allInnerTexts();
        assert.ok(slots.length > 0);
        for (const s of slots) assert.doesNotMatch(s, HANGUL, `no Korean in an English slot: ${s}`);
        assert.match(slots[0]!, /-(ro|gil)/, 'a romanised road name');
        await screenshot(page, 'night-english-addresses');
      },
    );
    await page.context().close();
  });

  it('item 1: dead ends offer a next step — expired session, second device (until when), unknown campaign', async (t) => {
    browser ??= await launchBrowser(t);
    if (!browser) return;
    const page = await phonePage(browser);
    await onFailureScreenshot(
      () => page,
      'night-dead-ends',
      async () => {
        // Expired session on "my bookings": back to verification, which says why; the header no longer says verified.
        await page.goto(`${site.baseUrl}/#/bookings`);
        await verify(page, site.person(6));
        await page.getByRole('heading', { name: '내 예약' }).waitFor();
        await page.evaluate(() => {
          const s = JSON.parse(sessionStorage.getItem('yeyak.session') ?? '{}') as { sessionToken: string };
          s.sessionToken = `${s.sessionToken.slice(0, -4)}AAAA`;
          sessionStorage.setItem('yeyak.session', JSON.stringify(s));
        });
        await page.reload();
        await page.getByTestId('session-expired').waitFor();
        assert.equal(await page.getByText(/인증됨/).count(), 0, 'the header no longer says verified');
        await screenshot(page, 'night-session-expired');
        await verify(page, site.person(6));
        await page.getByRole('heading', { name: '내 예약' }).waitFor();

        // Unknown campaign: its own page, no queue frame, a way home.
        await page.goto(`${site.baseUrl}/#/c/no-such-round/queue`);
        await page.locator('[data-refusal]').waitFor();
        assert.equal(await page.getByTestId('keep-place').count(), 0);
        assert.equal(await page.locator('.notice-ok').count(), 0);
        await page.getByRole('link', { name: '처음 화면으로' }).waitFor();
        await screenshot(page, 'night-unknown-campaign');

        // The second device: says until when, with a way out.
        const other = site.person(7);
        await joinOverApi(site, 7);
        // Another person on this phone: a fresh tab session (the verification lives in the tab).
        await page.evaluate(() => sessionStorage.clear());
        await page.goto(`${site.baseUrl}/#/c/demo/queue`);
        await page.reload();
        await verify(page, other);
        await page.locator('[data-refusal="queue-other-device"]').waitFor();
        const said = await page.locator('[data-refusal]').innerText();
        assert.match(said, /이후에 다시 들어올 수 있습니다/, `says until when: ${said}`);
        assert.match(said, /\d{1,2}:\d{2}/, 'a clock time');
        assert.equal(await page.getByTestId('keep-place').count(), 0);
        await screenshot(page, 'night-second-device');
      },
    );
    await page.context().close();
  });
});
