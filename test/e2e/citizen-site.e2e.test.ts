/**
 * The citizen site in a real browser (Debian's Chromium), against a real server with the demo
 * seed: from the landing page to a confirmation with both doses and a cancellation, in Korean and
 * in English, on a phone-sized screen; and the waiting room keeping its place across a reload.
 */
import { sql } from 'kysely';
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

/** What the person reads on screen, per language (the test fails if the site says otherwise). */
const WORDS = {
  ko: {
    english: null,
    check: '일정 확인',
    birthDate: '생년월일',
    checkResult: /출생자의 예약 일정/,
    book: /데모 사전예약 예약하기/,
    verifyTitle: '본인인증',
    name: '이름',
    rrn: '주민등록번호',
    verify: '인증하기',
    preOpening: '예약 시작 전입니다',
    bookTitle: '접종 기관과 날짜 선택',
    eligible: /예약/,
    search: '검색',
    choose: /선택$/,
    confirm: '이대로 예약하기',
    done: '예약이 완료되었습니다',
    change: '날짜·기관 변경',
    changeTo: '이 일정으로 변경하기',
    changed: '예약이 변경되었습니다',
    dose2: /2차 접종/,
    cancel: '예약 취소',
    cancelYes: '예, 취소합니다',
    cancelled: '취소됨',
    position: /(\d[\d,]*)번째/,
    keepsPlace: '새로고침해도 순서가 유지됩니다',
  },
  en: {
    english: 'English',
    check: 'Check dates',
    birthDate: 'Date of birth',
    checkResult: /Booking dates for people born on/,
    book: /Book: Demo pre-reservation/,
    verifyTitle: 'Verify your identity',
    name: 'Name',
    rrn: 'Resident registration number',
    verify: 'Verify',
    preOpening: 'Booking has not opened yet',
    bookTitle: 'Choose a facility and date',
    eligible: /./,
    search: 'Search',
    choose: /^Choose /,
    confirm: 'Book this',
    done: 'Your booking is confirmed',
    change: 'Change date or facility',
    changeTo: 'Change to this',
    changed: 'Your booking was changed',
    dose2: /Dose 2/,
    cancel: 'Cancel booking',
    cancelYes: 'Yes, cancel it',
    cancelled: 'Cancelled',
    position: /No\. (\d[\d,]*)/,
    keepsPlace: 'Reloading keeps your place',
  },
} as const;

type Lang = keyof typeof WORDS;

async function openPhonePage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    viewport: PHONE,
    deviceScaleFactor: 1,
    locale: 'ko-KR',
    timezoneId: 'Europe/Berlin',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(45_000);
  return page;
}

/** Fails the test on any script error or console error the page reports. */
function watchForPageErrors(page: Page, expected?: RegExp): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !expected?.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return errors;
}

async function verifyOnPage(page: Page, w: (typeof WORDS)[Lang], person: { rrn: string; name: string }) {
  await page.getByRole('heading', { name: w.verifyTitle }).waitFor();
  await page.locator('.provider').first().waitFor();
  assert.deepEqual(await seriousA11yViolations(page), [], 'verification page: no serious accessibility violations');
  await page.getByLabel(w.name, { exact: true }).fill(person.name);
  await page.getByLabel(w.rrn).fill(person.rrn);
  await page.getByRole('button', { name: w.verify, exact: true }).click();
}

describe('citizen site in a browser', () => {
  let site: SiteServer;
  let browser: Browser | undefined;

  before(async () => {
    // The demo opens 8 s after start, so the first journey sees the pre-opening room.
    site = await startSite({ opensInMs: 8_000 });
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  async function journey(t: TestContext, lang: Lang, personIndex: number) {
    browser ??= await launchBrowser(t);
    if (!browser) return;
    const w = WORDS[lang];
    const page = await openPhonePage(browser);
    // The English journey's slot fills under the person: the browser logs that refusal's 409.
    const errors = watchForPageErrors(page, lang === 'en' ? /status of 409 \(Conflict\)/ : undefined);
    const person = site.person(personIndex);
    const a11y: string[] = [];
    await onFailureScreenshot(
      () => page,
      `citizen-${lang}`,
      async () => {
        await page.goto(`${site.baseUrl}/`);
        if (w.english) await page.getByRole('button', { name: w.english }).click();
        // "When can I book?" needs no identity and no queue.
        await page.getByLabel(w.birthDate).fill(person.birthDate);
        await page.getByRole('button', { name: w.check }).click();
        await page.getByText(w.checkResult).waitFor();
        a11y.push(...(await seriousA11yViolations(page)).map((v) => `landing: ${v}`));

        await page.getByRole('button', { name: w.book }).click();
        await verifyOnPage(page, w, person);

        // The waiting room: pre-opening (first journey), then admitted; the site moves on to booking.
        await page.getByText(w.keepsPlace).waitFor();
        await page.waitForURL(/#\/c\/demo\/book/, { timeout: 40_000 }).catch(async () => {
          await page.getByRole('button', { name: /예약 화면으로 가기|Go to booking/ }).click();
          await page.waitForURL(/#\/c\/demo\/book/);
        });
        await page.locator('[data-eligibility="eligible"]').waitFor();

        await page.getByRole('button', { name: w.search, exact: true }).click();
        await page.getByRole('button', { name: w.choose }).first().waitFor();
        a11y.push(...(await seriousA11yViolations(page)).map((v) => `slots: ${v}`));
        if (lang === 'en') {
          // The chosen slot fills while the person reads the confirmation: the refusal offers what is
          // free instead, and one tap on the first offer books it.
          const chosenId = Number(await page.locator('li.slot[data-slot-id]').first().getAttribute('data-slot-id'));
          await page.getByRole('button', { name: w.choose }).first().click();
          await site.services.db
            .updateTable('slots')
            .set({ capacity: sql<number>`booked` })
            .where('id', '=', chosenId)
            .execute();
          await page.getByRole('button', { name: w.confirm }).click();
          await page.locator('[data-problem="slot-full"]').waitFor();
          await page
            .locator('[data-alternative-slot-id]')
            .first()
            .getByRole('button', { name: /^Book / })
            .click();
        } else {
          await page.getByRole('button', { name: w.choose }).first().click();
          await page.getByRole('button', { name: w.confirm }).click();
        }

        await page.getByRole('heading', { name: w.done }).waitFor();
        const bookingNumber = (await page.getByTestId('booking-number').innerText()).trim();
        assert.match(bookingNumber, /^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
        const dose1 = await page.getByTestId('dose1').innerText();
        const dose2 = await page.getByTestId('dose2').innerText();
        assert.notEqual(dose1, dose2, 'dose 2 is on a later date than dose 1');
        await screenshot(page, `citizen-${lang}-confirmation`);
        a11y.push(...(await seriousA11yViolations(page)).map((v) => `confirmation: ${v}`));

        // The server holds the booking the page shows, with dose 2 scheduled.
        const row = await site.services.db
          .selectFrom('bookings')
          .select(['status', 'dose1_slot_id', 'dose2_slot_id'])
          .where('booking_number', '=', bookingNumber)
          .executeTakeFirstOrThrow();
        assert.equal(row.status, 'active');
        assert.ok(row.dose2_slot_id);
        const firstSlotId = row.dose1_slot_id;

        // Change: another date; dose 2 moves with dose 1 and the old seats return.
        await page.getByRole('link', { name: w.change }).click();
        await page.getByRole('button', { name: w.search, exact: true }).click();
        await page.getByRole('button', { name: w.choose }).last().click();
        await page.getByRole('button', { name: w.changeTo }).click();
        await page.getByRole('heading', { name: w.changed }).waitFor();
        const changed = await site.services.db
          .selectFrom('bookings')
          .select(['status', 'dose1_slot_id'])
          .where('booking_number', '=', bookingNumber)
          .executeTakeFirstOrThrow();
        assert.notEqual(changed.dose1_slot_id, firstSlotId, 'the booking moved to the chosen slot');

        await page.getByRole('button', { name: w.cancel }).click();
        await page.getByRole('button', { name: w.cancelYes }).click();
        await page.getByTestId('booking-status').filter({ hasText: w.cancelled }).waitFor();
        const cancelled = await site.services.db
          .selectFrom('bookings')
          .select('status')
          .where('booking_number', '=', bookingNumber)
          .executeTakeFirstOrThrow();
        assert.equal(cancelled.status, 'cancelled');
        await screenshot(page, `citizen-${lang}-cancelled`);
        assert.deepEqual(errors, []);
        assert.deepEqual(a11y, [], 'no serious or critical accessibility violations (axe-core, WCAG 2.1 AA)');
      },
    );
    await page.context().close();
  }

  it('takes a person from the landing page to a confirmation and a cancellation, in Korean', (t) =>
    journey(t, 'ko', 0));
  it('does the same in English', (t) => journey(t, 'en', 1));

  it('works with the keyboard alone: skip link first, then the schedule check by Tab and Enter', async (t) => {
    browser ??= await launchBrowser(t);
    if (!browser) return;
    const page = await openPhonePage(browser);
    await onFailureScreenshot(
      () => page,
      'citizen-keyboard',
      async () => {
        await page.goto(`${site.baseUrl}/`);
        await page.getByLabel('생년월일').waitFor();
        await page.keyboard.press('Tab');
        assert.equal(
          await page.evaluate(() => document.activeElement?.textContent),
          '본문으로 건너뛰기',
          'the first Tab reaches the skip link',
        );
        await page.keyboard.press('Enter');
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
        let focusedId = '';
        for (let i = 0; i < 20 && focusedId !== 'birth-date'; i++) {
          await page.keyboard.press('Tab');
          focusedId = await page.evaluate(() => document.activeElement?.id ?? '');
        }
        assert.equal(focusedId, 'birth-date', 'Tab from the content start reaches the birth-date field');
        await page.keyboard.type(site.person(0).birthDate);
        await page.keyboard.press('Enter');
        await page.getByText(WORDS.ko.checkResult).waitFor();
        await screenshot(page, 'citizen-keyboard-schedule-check');
      },
    );
    await page.context().close();
  });

  it("keeps a person's place across a reload, a new tab and airplane mode, then admits them in turn", async (t) => {
    browser ??= await launchBrowser(t);
    if (!browser) return;
    const w = WORDS.ko;
    const wr = site.services.waitingRoom.service;
    await waitUntilOpen(site);
    // Admission paused, and 30 people ahead who joined through the API.
    assert.ok(wr.pause('demo').ok);
    for (let i = 10; i < 40; i++) await joinOverApi(site, i);

    let page = await openPhonePage(browser);
    // Polls fail while the phone is offline; the browser reports each failed fetch.
    const errors = watchForPageErrors(page, /ERR_INTERNET_DISCONNECTED/);
    const person = site.person(2);
    await onFailureScreenshot(
      () => page,
      'citizen-queue',
      async () => {
        await page.goto(`${site.baseUrl}/#/c/demo/queue`);
        await verifyOnPage(page, w, person);
        const first = await positionOn(page, w);
        assert.ok(first >= 31, `30 people joined ahead, position ${first}`);
        // While waiting, the page reads the public snapshot and leaves the origin's status alone.
        const asked = { snapshot: 0, status: 0 };
        page.on('request', (r) => {
          const m = /\/queue\/(snapshot|status)$/.exec(new URL(r.url()).pathname);
          if (m) asked[m[1] as 'snapshot' | 'status'] += 1;
        });
        await page.waitForRequest((r) => r.url().endsWith('/queue/snapshot'), { timeout: 15_000 });
        assert.equal(
          await positionOn(page, w),
          first,
          'the place worked out from the snapshot is the one the server gave',
        );
        assert.equal(asked.status, 0, `no status call between heartbeats (${JSON.stringify(asked)})`);
        // The ETA band, when it has both ends, runs from low to high.
        const eta = await page.getByTestId('queue-eta').innerText();
        const band = /\((\d+)–(\d+)분\)/.exec(eta);
        if (band) assert.ok(Number(band[1]) <= Number(band[2]), `ETA band reads low to high: ${eta}`);
        await screenshot(page, 'citizen-queue-waiting');
        assert.deepEqual(await seriousA11yViolations(page), [], 'queue page: no serious accessibility violations');

        await page.reload();
        assert.equal(await positionOn(page, w), first, 'a reload keeps the place');

        await page.context().setOffline(true);
        await page.getByText('연결이 끊겼습니다').waitFor();
        await page.context().setOffline(false);
        await page.getByText('연결이 끊겼습니다').waitFor({ state: 'detached' });
        assert.equal(await positionOn(page, w), first, 'airplane mode keeps the place');

        // A new tab of the same browser: verify again (the session lives in the tab), same place.
        const tab = await page.context().newPage();
        await page.close();
        page = tab;
        await tab.goto(`${site.baseUrl}/#/c/demo/queue`);
        await verifyOnPage(tab, w, person);
        assert.equal(await positionOn(tab, w), first, 'a new tab gets the same place back, not a better one');
        await screenshot(tab, 'citizen-queue-after-reload');

        assert.ok(wr.resume('demo').ok);
        await tab.waitForURL(/#\/c\/demo\/book/, { timeout: 40_000 });
        await tab.locator('[data-eligibility="eligible"]').waitFor();
        assert.deepEqual(errors, []);
      },
    );
    await page.context().close();
  });
});

async function waitUntilOpen(site: SiteServer) {
  const live = await site.services.campaigns.liveCampaign('demo');
  const phase = live?.rules.phases[0];
  assert.ok(phase && phase.kind === 'window');
  const wait = Date.parse(phase.opensAt) - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait + 500));
}

/** The place number the queue page shows. */
async function positionOn(page: Page, w: (typeof WORDS)[Lang]): Promise<number> {
  const el = page.getByTestId('queue-position');
  await el.filter({ hasText: w.position }).waitFor();
  const m = w.position.exec(await el.innerText());
  assert.ok(m, 'a position is shown');
  return Number(m[1]!.replace(/,/g, ''));
}
