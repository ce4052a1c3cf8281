/**
 * Lighthouse (pinned 12.2.3, the last release that runs on Node 20) on a phone: the landing, verify
 * and queue pages of a real server with the demo seed, with Lighthouse's default mobile emulation
 * (Moto G-class screen, simulated slow 4G and CPU slowdown, see below). Issue 14 asks for performance
 * ≥ 95 and accessibility 100 on each: accessibility 100 and no layout shift (CLS ≤ 0.1) are
 * asserted on every run; performance is printed against 95 and asserted against a floor (below).
 *
 * Variance: a score moves from run to run (more so on a shared machine), so each page's performance
 * is the median of three runs, as Lighthouse's own guidance on variability advises; two runs on the
 * same side of the target already decide the median, so the third runs only when they disagree.
 * Accessibility and layout shift are asserted on every run. Every run's report is written to
 * artifacts/lighthouse/<page>-<run>.json (git-ignored) for reading why a score is what it is.
 *
 * Scores (performance; accessibility 100 and CLS ≤ 0.1 on all), measured with
 *   flock /tmp/yeyak-heavy.lock nice -n 10 node --import tsx --test test/e2e/lighthouse.e2e.test.ts
 * (after `npm run build:web`; LIGHTHOUSE_WEB_DIR=<older dist/web> for the before build):
 *   before (react-dom 19, one run each; quiet machine / loaded machine, BenchmarkIndex ~1300-2200, 4×):
 *     landing 96 / 79, verify 98 / 90, queue 93 / 93 (TBT 743 ms on the landing page, loaded)
 *   after, on a loaded machine (load average 15-35 on 2 cores, BenchmarkIndex 250-650, so a
 *   slowdown of 1-2.5×; TBT 300-1600 ms), single runs: with preact/compat only, landing 90, 63, 65,
 *   verify 83, 66, 85, queue 76; with the kept Intl formatters and no shift from the campaign name
 *   too, landing 80, and at 10:40 UTC (load ~8, BenchmarkIndex 680-870, slowdown 2.6-3.3×) landing
 *   75, 72; verify 85, 78; queue 71, 66 (TBT 770-1630 ms). Not measured on a quiet machine, where
 *   the before build (4× the start-up code) scored 93-98.
 *   2026-11-30, with the Hangul font named first (no fallback-font search per run of Korean text)
 *   and dates and numbers written without Intl (no ICU start-up in the first render), new and old
 *   build interleaved (load average 2-7, BenchmarkIndex 2500-2950, 4×), two runs each, twice:
 *     landing  new 99-100, TBT 0-38 ms, Style & Layout 68-128 ms, script 124-225 ms
 *              old 100,    TBT 29-64 ms, Style & Layout 165-217 ms, script 172-228 ms
 *     verify   new 100, Style & Layout 48-86 ms;  old 99-100, Style & Layout 117-170 ms
 *     queue    new 100, TBT 0-17 ms, Style & Layout 90-106 ms; old 100, TBT 39-53 ms, 159-215 ms
 *   Every median since was 99-100; the old build's 82-96 runs here and 86-92 in CI came with more
 *   load, which the halved style and layout time leaves room for.
 *
 * The queue page is measured as a verified person waiting in the pre-room sees it: the session is
 * put into the tab's sessionStorage before Lighthouse loads the page (storage reset off), because a
 * visitor without a session sees the "verify first" notice instead.
 *
 * CPU: Lighthouse's default 4× slowdown assumes an idle desktop; this machine is 2 cores shared by
 * several test runs, so 4× on top of that emulates a far slower phone than the one Lighthouse means
 * (the same page scored 43 and 92 minutes apart). The slowdown is therefore calibrated to the host
 * as Chrome DevTools' CPU calibration does: the host's BenchmarkIndex (Lighthouse's own benchmark,
 * run in the page just before) divided by that of the low-tier phone it targets (a Moto G Power,
 * 264 in DevTools' CalibrationController), kept between 1× and Lighthouse's default 4×. The index
 * and the multiplier are printed with the scores. LIGHTHOUSE_CPU_SLOWDOWN=4 forces a fixed value.
 *
 * Six to nine Lighthouse runs take two to three minutes on a quiet machine; keep their number small.
 * LIGHTHOUSE_WEB_DIR=/path/to/an/older/dist/web measures another build (the "before" of a change).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import lighthouse from 'lighthouse';
import * as constants from 'lighthouse/core/config/constants.js';
import { pageFunctions } from 'lighthouse/core/lib/page-functions.js';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { CHROMIUM, isChromiumInstalled } from '../../scripts/chromium.ts';
import { isCi } from '../support/databases.ts';
import { startSite, type SiteServer } from '../support/browser.ts';

/** The flags issue 14 names: headless, no sandbox, and nothing that reaches for the (closed) network. */
const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const REPORT_DIR = resolve('artifacts/lighthouse');
/** Runs so far per page, numbering the reports (artifacts/lighthouse/<page>-<run>.json). */
const reportRuns = new Map<string, number>();
/** Issue 14's target, printed with each page's median of RUNS_PER_PAGE runs. */
const TARGET_PERFORMANCE = 95;
/**
 * What is asserted on the median: the target itself. Every median measured here since the two
 * changes above was 99-100 (single runs 99-100) at load 2-7, so a median under 95 is a regression
 * to look into (the build before them scored 82-96 under load here and 86-92 in CI).
 */
const FLOOR_PERFORMANCE = TARGET_PERFORMANCE;
const RUNS_PER_PAGE = 3;
const MIN_ACCESSIBILITY = 100;
const MAX_CLS = 0.1;

interface Scores {
  performance: number;
  accessibility: number;
  cls: number;
  lcpMs: number;
  tbtMs: number;
  failing: string[];
  benchmarkIndex: number;
  cpuSlowdownMultiplier: number;
}

/** Chrome DevTools' BenchmarkIndex of a low-tier phone (Moto G Power 2022), the device Lighthouse's mobile run means. */
const LOW_TIER_PHONE_BENCHMARK_INDEX = 264;
const DEFAULT_CPU_SLOWDOWN = 4;

/** Lighthouse's own benchmark, run in the page: the median of three, as the host's load moves. */
async function hostBenchmarkIndex(page: Page): Promise<number> {
  await page.goto('about:blank');
  const runs: number[] = [];
  for (let i = 0; i < 3; i++)
    runs.push((await page.evaluate(`(${pageFunctions.computeBenchmarkIndex.toString()})()`)) as number);
  return runs.sort((a, b) => a - b)[1]!;
}

/** The run with the median performance score (an odd number of runs, or the lower middle one). */
function medianRun(runs: Scores[]): Scores {
  const sorted = [...runs].sort((a, b) => a.performance - b.performance);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function cpuSlowdownFor(benchmarkIndex: number): number {
  const forced = Number(process.env.LIGHTHOUSE_CPU_SLOWDOWN);
  if (forced > 0) return forced;
  const calibrated = benchmarkIndex / LOW_TIER_PHONE_BENCHMARK_INDEX;
  return Math.round(Math.min(DEFAULT_CPU_SLOWDOWN, Math.max(1, calibrated)) * 10) / 10;
}

async function measure(
  browser: Browser,
  url: string,
  prepare?: (page: Page, origin: string) => Promise<void>,
): Promise<Scores> {
  const page = await browser.newPage();
  try {
    if (prepare) await prepare(page, new URL(url).origin);
    const benchmarkIndex = await hostBenchmarkIndex(page);
    const cpuSlowdownMultiplier = cpuSlowdownFor(benchmarkIndex);
    const result = await lighthouse(
      url,
      {
        output: 'json',
        logLevel: 'error',
        onlyCategories: ['performance', 'accessibility'],
        formFactor: 'mobile',
        disableStorageReset: prepare !== undefined,
        throttling: { ...constants.throttling.mobileSlow4G, cpuSlowdownMultiplier },
      },
      undefined,
      page,
    );
    assert.ok(result, `Lighthouse gave no result for ${url}`);
    const lhr = result.lhr;
    // The whole report, for reading why a score is what it is (artifacts/ is git-ignored).
    mkdirSync(REPORT_DIR, { recursive: true });
    const name = new URL(url).hash.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '') || 'landing';
    const run = (reportRuns.get(name) ?? 0) + 1;
    reportRuns.set(name, run);
    writeFileSync(join(REPORT_DIR, `${name}-${run}.json`), JSON.stringify(lhr));
    assert.equal(lhr.runtimeError, undefined, `Lighthouse failed on ${url}: ${JSON.stringify(lhr.runtimeError)}`);
    const score = (id: string) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
    const numeric = (id: string) => lhr.audits[id]?.numericValue ?? Number.NaN;
    const failing = Object.values(lhr.audits)
      .filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== 'informative')
      .map((a) => `${a.id}${a.displayValue ? ` (${a.displayValue})` : ''}`);
    return {
      performance: score('performance'),
      accessibility: score('accessibility'),
      cls: numeric('cumulative-layout-shift'),
      lcpMs: numeric('largest-contentful-paint'),
      tbtMs: numeric('total-blocking-time'),
      failing,
      benchmarkIndex,
      cpuSlowdownMultiplier,
    };
  } finally {
    await page.close();
  }
}

describe('Lighthouse on a phone', () => {
  let site: SiteServer;
  let browser: Browser | undefined;
  const results = new Map<string, { median: Scores; runs: Scores[] }>();

  before(async () => {
    // Pre-room for the whole run: the queue page then stays put while it is measured.
    const webDir = process.env.LIGHTHOUSE_WEB_DIR;
    site = await startSite({ opensInMs: 60 * 60_000, env: webDir ? { WEB_DIR: webDir } : {} });
    if (isChromiumInstalled()) browser = await puppeteer.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    if (results.size > 0) {
      console.log(`Lighthouse (mobile) scores, median run (target: performance ≥ ${TARGET_PERFORMANCE}):`);
      for (const [name, { median: s, runs }] of results)
        console.log(
          `  ${name.padEnd(8)} performance ${s.performance} (runs ${runs.map((r) => r.performance).join(', ')})  ` +
            `accessibility ${s.accessibility}  CLS ${s.cls.toFixed(3)}  LCP ${Math.round(s.lcpMs)} ms  ` +
            `TBT ${Math.round(s.tbtMs)} ms  (host BenchmarkIndex ${s.benchmarkIndex}, CPU slowdown ${s.cpuSlowdownMultiplier}×)`,
        );
    }
  });

  function requireBrowser(t: TestContext): Browser | undefined {
    if (browser) return browser;
    const message = `Chromium not found at ${CHROMIUM}`;
    if (isCi) throw new Error(`${message}; CI=true: browser tests fail rather than skip`);
    t.skip(message);
    return undefined;
  }

  /**
   * One run; once more if Lighthouse itself failed to record it (a runtime error such as NO_NAVSTART,
   * a trace that lost its navigation start: seen once here on a loaded machine). The instrument's
   * failure says nothing of the page; a second failure in a row fails the test.
   */
  async function measured(run: () => Promise<Scores>): Promise<Scores> {
    try {
      return await run();
    } catch (e) {
      if (!String((e as Error).message).startsWith('Lighthouse failed on')) throw e;
      console.log(`Lighthouse could not record a run, measuring once more: ${(e as Error).message}`);
      return run();
    }
  }

  /**
   * Median of three, as Lighthouse's own guidance on score variance asks: two runs, and a third only
   * when they fall on either side of the target (the median of three is then decided by it; two runs
   * on the same side already decide it). Accessibility and layout shift are asserted on every run.
   */
  async function check(name: string, run: () => Promise<Scores>): Promise<void> {
    const runs: Scores[] = [];
    const meets = (s: Scores) => s.performance >= TARGET_PERFORMANCE;
    while (runs.length < RUNS_PER_PAGE) {
      const s = await measured(run);
      runs.push(s);
      const why = `${name} run ${runs.length}: ${JSON.stringify(s)}`;
      assert.ok(
        s.accessibility >= MIN_ACCESSIBILITY,
        `accessibility ${s.accessibility} < ${MIN_ACCESSIBILITY}; ${why}`,
      );
      assert.ok(s.cls <= MAX_CLS, `layout shift ${s.cls} > ${MAX_CLS}; ${why}`);
      const passing = runs.filter(meets).length;
      if (passing * 2 > RUNS_PER_PAGE || (runs.length - passing) * 2 > RUNS_PER_PAGE) break;
    }
    const median = medianRun(runs);
    results.set(name, { median, runs });
    assert.ok(
      median.performance >= FLOOR_PERFORMANCE,
      `median performance ${median.performance} < ${FLOOR_PERFORMANCE} (target ${TARGET_PERFORMANCE}; runs ${runs.map((r) => r.performance).join(', ')}); ` +
        `${name}: ${JSON.stringify(median)}`,
    );
  }

  it('scores the landing page', async (t) => {
    const b = requireBrowser(t);
    if (!b) return;
    await check('landing', () => measure(b, `${site.baseUrl}/#/`));
  });

  it('scores the verify page', async (t) => {
    const b = requireBrowser(t);
    if (!b) return;
    await check('verify', () => measure(b, `${site.baseUrl}/#/verify?next=%2Fc%2Fdemo%2Fqueue`));
  });

  it('scores the queue page of a verified person in the pre-room', async (t) => {
    const b = requireBrowser(t);
    if (!b) return;
    const p = site.person(0);
    const verified = await fetch(`${site.baseUrl}/api/identity/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ providerId: 'pass', rrn: p.rrn, name: p.name }),
    });
    assert.equal(verified.status, 200, await verified.clone().text());
    const session = await verified.text();
    await check('queue', () =>
      measure(b, `${site.baseUrl}/#/c/demo/queue`, async (page, origin) => {
        await page.goto(`${origin}/#/`);
        await page.evaluate((s) => sessionStorage.setItem('yeyak.session', s), session);
      }),
    );
  });
});
