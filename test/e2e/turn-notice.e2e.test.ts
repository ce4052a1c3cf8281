/**
 * "Text me when it is my turn" end to end (issue 14, item 4), in a real browser against a real
 * server (PGlite outbox, the real outbox sender, the admission leader's loops): a person opts in on
 * the queue page and closes it; admission runs; the message is written to the outbox and delivered
 * when their place nears the front, addressed to their registered phone and carrying the link; the
 * link, opened later in the same browser, resumes the place and admits them (within the grace
 * period that counts from the message) to the booking page. The operator's dashboard counts it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { sql } from 'kysely';
import {
  joinOverApi,
  launchBrowser,
  onFailureScreenshot,
  screenshot,
  startSite,
  type SiteServer,
} from '../support/browser.ts';

const PHONE = { width: 390, height: 844 };
const CAMPAIGN = 'demo';

async function until<T>(what: string, f: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function verifyOnPage(page: Page, person: { rrn: string; name: string }) {
  await page.getByRole('heading', { name: '본인인증' }).waitFor();
  await page.locator('.provider').first().waitFor();
  await page.getByLabel('이름', { exact: true }).fill(person.name);
  await page.getByLabel('주민등록번호').fill(person.rrn);
  await page.getByRole('button', { name: '인증하기', exact: true }).click();
}

describe('text me when it is my turn, in a browser', () => {
  let site: SiteServer;
  let browser: Browser | undefined;

  before(async () => {
    site = await startSite({ opensInMs: 1_500, env: { TURN_NOTICE_EVERY_MS: '200' } });
    // Admission waits until the test lets it go; people join in the order the test makes them.
    site.services.waitingRoom.service.pause(CAMPAIGN);
    const live = await site.services.campaigns.liveCampaign(CAMPAIGN);
    assert.ok(live, 'the demo campaign is live');
    assert.equal(live.rules.turnNotice, undefined, 'off by default');
    const saved = await site.services.campaigns.saveVersion(
      { ...live.rules, version: live.rules.version + 1, turnNotice: { enabled: true, leadMinutes: 1 } },
      'e2e-operator',
      true,
    );
    assert.equal(saved.ok, true, JSON.stringify(saved));
  });

  after(async () => {
    await browser?.close();
    await site?.close();
  });

  it('messages a person who left, and the link admits them', async (t) => {
    browser = await launchBrowser(t);
    if (!browser) return;
    const context = await browser.newContext({ viewport: PHONE, locale: 'ko-KR' });
    let page: Page | undefined = await context.newPage();
    await onFailureScreenshot(
      () => page,
      'turn-notice',
      async () => {
        const me = site.person(0);
        await until('the opening', () => isOpen(site));
        // Five people ahead, joined from other phones after the opening.
        for (let i = 1; i <= 5; i++) await joinOverApi(site, i);

        await page!.goto(`${site.baseUrl}/#/c/${CAMPAIGN}/queue`);
        // Without a session the queue page sends the person to verification by itself.
        await verifyOnPage(page!, me);
        const card = page!.getByTestId('turn-notice');
        await card.waitFor();
        assert.equal(await card.getAttribute('data-state'), 'none');
        await page!.getByRole('button', { name: '차례가 되면 문자 받기' }).click();
        await until('the request to be kept', async () => (await card.getAttribute('data-state')) === 'pending');
        await screenshot(page!, 'turn-notice-asked');
        await page!.close(); // the person leaves; the tab's session goes with it
        page = undefined;

        assert.equal(await turnNoticeRows(site), 0, 'nothing is sent while the place is far from moving');
        site.services.waitingRoom.service.resume(CAMPAIGN);
        const row = await until('the message to be delivered', async () => {
          const rows = await sentTurnNotices(site);
          return rows[0];
        });
        assert.equal(await turnNoticeRows(site), 1, 'one message');
        const identityHash = row.notice_key!.split('/')[2]!;
        const registered = await site.services.db
          .selectFrom('people')
          .select(['phone', 'name', 'birth_date'])
          .where('identity_hash', '=', identityHash)
          .executeTakeFirstOrThrow();
        assert.deepEqual([registered.name, registered.birth_date], [me.name, me.birthDate], 'the person who asked');
        assert.equal(row.payload.to, registered.phone, 'to the phone the person registered');
        assert.match(row.payload.text.ko, /차례/);
        assert.match(row.payload.text.en, /your turn/);
        const link = new URL(row.payload.link);
        // The deployment's PUBLIC_BASE_URL in front; this server listens on a port chosen at start.
        assert.equal(link.hash, `#/c/${CAMPAIGN}/queue`);
        assert.ok(row.payload.text.en.includes(row.payload.link), 'the text carries the link');

        // Later, the person opens the link from the message on the same phone.
        page = await context.newPage();
        await page.goto(`${site.baseUrl}/${link.hash}`);
        await verifyOnPage(page, me);
        await page.getByRole('heading', { name: '접종 기관과 날짜 선택' }).waitFor({ timeout: 20_000 });
        const sentAtMs = row.sent_at.getTime();
        const admitted = await site.services.db
          .selectFrom('admissions')
          .selectAll()
          .where('campaign_id', '=', CAMPAIGN)
          .where('identity_hash', '=', identityHash)
          .executeTakeFirstOrThrow();
        assert.ok(admitted.admitted_at.getTime() >= sentAtMs, 'admitted after the message');
        assert.ok(admitted.admitted_at.getTime() - sentAtMs < 5 * 60_000, 'within the grace period');
        await screenshot(page, 'turn-notice-resumed');

        const dashboard = await site.services.dashboard.dashboard(CAMPAIGN);
        assert.deepEqual(dashboard.turnNotices, { lastMinute: 1, total: 1 });
      },
    );
    await context.close();
  });
});

async function isOpen(site: SiteServer): Promise<boolean> {
  const s = site.services.waitingRoom.service.roomStatus(CAMPAIGN);
  return s.ok && s.value.snapshot !== null && s.value.snapshot.partitions.every((p) => p.stats.frozen !== null);
}

async function turnNoticeRows(site: SiteServer): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox WHERE kind = 'turn-near'`.execute(
    site.services.db,
  );
  return r.rows[0]?.n ?? -1;
}

async function sentTurnNotices(site: SiteServer) {
  return site.services.db
    .selectFrom('outbox')
    .select(['payload', 'sent_at', 'notice_key'])
    .where('kind', '=', 'turn-near')
    .where('sent_at', 'is not', null)
    .execute()
    .then((rows) =>
      rows.map((r) => ({ ...r, sent_at: r.sent_at!, payload: r.payload as typeof r.payload & { link: string } })),
    );
}
