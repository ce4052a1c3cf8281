/**
 * The console's capacity plan in a real browser: a viewer opens "용량 계획 / Capacity plan" for the
 * demo campaign and sees its cohort counted on the registered population and the plan of the same
 * model `npm run plan` runs (src/capacity/capacity-plan.ts) — the admission rate to enter, the
 * queue's peak and drain time, the resources — for the default arrival curve and after choosing
 * another; then in English. Numbers are checked against the model computed here from the same inputs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { scheduleFor } from '../../src/eligibility/eligibility.ts';
import { planCapacity, type CapacityPlan } from '../../src/capacity/capacity-plan.ts';
import { EXAMPLE_BENCH_RESULTS } from '../../src/capacity/bench-results.ts';
import { readMeasured, readScenarios } from '../../src/capacity/capacity-files.ts';
import { planFromScenario } from '../../src/capacity/scenario-demand.ts';
import {
  launchBrowser,
  operatorLogin,
  onFailureScreenshot,
  screenshot,
  seriousA11yViolations,
  startSite,
  type SiteServer,
} from '../support/browser.ts';

describe('capacity plan in the console', () => {
  let site: SiteServer;
  let browser: Browser | undefined;

  before(async () => {
    site = await startSite({ opensInMs: 30 * 60_000 });
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  it('shows the plan for the demo opening, for two arrival curves, in Korean and English', async (t) => {
    browser ??= await launchBrowser(t);
    if (!browser) return;
    // What the page must show: the demo opening's registered cohort through the same model.
    const rules = (await site.services.campaigns.liveCampaign('demo'))!.rules;
    const openings = new Map<number, number>();
    for (const d of site.birthDates())
      for (const o of scheduleFor(rules, d)) openings.set(o.opensAtMs, (openings.get(o.opensAtMs) ?? 0) + 1);
    const next = [...openings.entries()].filter(([at]) => at >= Date.now()).sort((a, b) => a[0] - b[0])[0]!;
    const eligible = next[1];
    assert.ok(eligible > 0);
    const measured = readMeasured(EXAMPLE_BENCH_RESULTS);
    assert.ok(measured.ok);
    const scenarios = readScenarios('data/scenarios');
    const expected = (id: string): CapacityPlan => {
      const s = scenarios.find((x) => x.id === id)!;
      const { demand } = planFromScenario(s, { eligible });
      // testConfig's waiting-room settings (src/platform/config.ts defaults).
      const service = {
        ...planFromScenario(s).service,
        admissionMaxRatePerSec: 5_000,
        activeSessionCap: 5_000,
        partitions: 1,
      };
      return planCapacity({ demand, service, measured: measured.value });
    };
    const ko = (n: number) => n.toLocaleString('ko-KR');
    // The headline is the rate to enter (the opening's); the help names the sustained one.
    const rate = (p: CapacityPlan) => Math.round(p.admission.openingRatePerSec * 10) / 10;
    const sustained = (p: CapacityPlan) => Math.round(p.admission.plannedRatePerSec * 10) / 10;

    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(45_000);
    await onFailureScreenshot(
      () => page,
      'console-capacity',
      async () => {
        await page.goto(`${site.baseUrl}/console/`);
        await page.getByLabel('아이디').fill('viewer');
        await page.getByLabel('비밀번호').fill('yeyak-viewer-demo');
        await page.getByRole('button', { name: '로그인' }).click();
        await page.getByRole('button', { name: '용량 계획' }).click();
        await page.getByRole('heading', { name: '오픈 전 용량 계획' }).waitFor();
        await page.getByLabel('캠페인', { exact: true }).selectOption('demo');

        const first = expected('2021-07-19');
        await page
          .getByTestId('cap-cohort')
          .filter({ hasText: ko(eligible) })
          .waitFor();
        await page
          .getByTestId('planned-rate')
          .filter({ hasText: `초당 ${ko(rate(first))}명` })
          .waitFor();
        await page
          .getByTestId('cap-queue-peak')
          .filter({ hasText: ko(first.queue.peak) })
          .waitFor();
        await page
          .getByTestId('cap-rate-help')
          .filter({ hasText: `초당 ${ko(sustained(first))}명이 유지` })
          .waitFor();
        assert.equal(
          await page.getByTestId('cap-processes').innerText(),
          ko(first.frontDoor.processes),
          'front-door processes',
        );
        assert.equal(await page.locator('.chart canvas').count(), 2, 'queue and rate charts are drawn');
        assert.match(await page.getByTestId('cap-assumptions').innerText(), /60%/);
        assert.deepEqual(await seriousA11yViolations(page), [], 'capacity page: no serious accessibility violations');
        await screenshot(page, 'console-capacity-plan');

        // Another arrival curve: the plan is recomputed for the same cohort.
        const second = expected('2021-08-09');
        assert.notEqual(second.queue.peak, first.queue.peak);
        await page.getByLabel('접속 곡선(시나리오)').selectOption('2021-08-09');
        await page
          .getByTestId('cap-queue-peak')
          .filter({ hasText: ko(second.queue.peak) })
          .waitFor();
        await page
          .getByTestId('planned-rate')
          .filter({ hasText: `초당 ${ko(rate(second))}명` })
          .waitFor();

        await page.getByRole('button', { name: 'English' }).click();
        await page.getByRole('heading', { name: 'Capacity plan before an opening' }).waitFor();
        await page
          .getByTestId('planned-rate')
          .filter({ hasText: `${rate(second).toLocaleString('en-GB')} per second` })
          .waitFor();
        await page.getByRole('rowheader', { name: 'Redis shards (masters)' }).waitFor();
        assert.deepEqual(await seriousA11yViolations(page), [], 'capacity page in English: no serious violations');
        await screenshot(page, 'console-capacity-plan-en');
      },
    );
    await page.context().close();
  });

  it('lets an operator enter the plan in the waiting room: its rate and turnover curve, the message kept', async (t) => {
    const settingsUrl = `${site.baseUrl}/api/operator/campaigns/demo/admission/settings`;
    const op = await operatorLogin(site, 'operator', 'yeyak-operator-demo');
    const put = (body: unknown) =>
      fetch(settingsUrl, {
        method: 'PUT',
        headers: { ...op, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const read = async () =>
      (await (await fetch(settingsUrl, { headers: { cookie: op.cookie! } })).json()) as Record<string, unknown>;
    const message = { ko: '20시 10분까지 점검합니다.', en: 'Checks until 20:10.' };

    // Over the API: a curve is kept when a later change leaves it out, refused when it is not one.
    assert.equal((await put({ plannedRatePerSec: 3, plannedTurnoverPerSec: [5, 4, 3], message })).status, 200);
    assert.equal((await put({ plannedRatePerSec: 4, message })).status, 200);
    assert.deepEqual([(await read()).plannedRatePerSec, (await read()).plannedTurnoverPerSec], [4, [5, 4, 3]]);
    for (const bad of [[], [5, -1], 'fast', Array.from({ length: 241 }, () => 1)])
      assert.equal(
        (await put({ plannedRatePerSec: 4, plannedTurnoverPerSec: bad, message })).status,
        400,
        JSON.stringify(bad),
      );

    browser ??= await launchBrowser(t);
    if (!browser) return;
    const plan = (
      (await (
        await fetch(`${site.baseUrl}/api/operator/campaigns/demo/capacity-plan`, { headers: { cookie: op.cookie! } })
      ).json()) as { plan: CapacityPlan }
    ).plan;
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(45_000);
    await onFailureScreenshot(
      () => page,
      'console-capacity-apply',
      async () => {
        await page.goto(`${site.baseUrl}/console/`);
        await page.getByLabel('아이디').fill('operator');
        await page.getByLabel('비밀번호').fill('yeyak-operator-demo');
        await page.getByRole('button', { name: '로그인' }).click();
        await page.getByRole('button', { name: '용량 계획' }).click();
        await page.getByLabel('캠페인', { exact: true }).selectOption('demo');
        await page.getByRole('button', { name: '이 계획을 대기실에 입력' }).click();
        await page.getByTestId('cap-applied').waitFor();
        const after = await read();
        const curve = plan.admission.turnoverCurvePerSec;
        assert.deepEqual(
          [after.plannedRatePerSec, after.plannedTurnoverPerSec, after.message],
          [plan.admission.openingRatePerSec, curve.length > 0 ? curve : null, message],
        );
        await screenshot(page, 'console-capacity-applied');
        // The settings card on the dashboard says what was entered.
        await assert.equal(
          (await put({ plannedRatePerSec: 4, plannedTurnoverPerSec: [5, 4, 3], message })).status,
          200,
        );
        await page.getByRole('button', { name: '현황' }).click();
        await page.getByTestId('planned-turnover').filter({ hasText: '3분, 초당 5명에서 3명까지' }).waitFor();
        await page.getByRole('button', { name: '곡선 지우기' }).click();
        await page.getByTestId('planned-turnover').filter({ hasText: '곡선 없음' }).waitFor();
        assert.equal((await read()).plannedTurnoverPerSec, null);
        assert.deepEqual((await read()).message, message, 'clearing the curve keeps the message');
      },
    );
    await page.context().close();
  });
});
