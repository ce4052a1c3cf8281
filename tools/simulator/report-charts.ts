/**
 * npm run report:charts -- <run folder>
 *
 * Renders a simulator run's report.html in Debian's Chromium (playwright-core, as the browser
 * tests do) and saves every chart as a PNG file next to it (chart-01-arrivals.png, …), so a run's
 * charts can be attached, committed or shown without a browser. The page is opened from the file
 * system: the report is self-contained and makes no network request.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM, isChromiumInstalled, launchChromium } from '../../scripts/chromium.ts';

async function main(): Promise<number> {
  const dir = process.argv[2];
  if (!dir || dir === '--help') {
    console.error('usage: npm run report:charts -- <run folder with report.html>');
    return 2;
  }
  const report = resolve(dir, 'report.html');
  if (!existsSync(report)) {
    console.error(`no report.html in ${resolve(dir)}`);
    return 2;
  }
  if (!isChromiumInstalled()) {
    console.error(`Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
    return 2;
  }
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.route(/^(?!file:)/, (route) => route.abort()); // nothing leaves the machine
    await page.goto(pathToFileURL(report).href);
    const charts = page.locator('.chart');
    await charts.first().waitFor();
    const n = await charts.count();
    const written: string[] = [];
    for (let i = 0; i < n; i++) {
      const chart = charts.nth(i);
      const title = (await chart.locator('h2').textContent()) ?? `chart ${i + 1}`;
      const slug = title
        .toLowerCase()
        .replace(/\(.*$/, '')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 40);
      const file = join(resolve(dir), `chart-${String(i + 1).padStart(2, '0')}-${slug}.png`);
      await chart.screenshot({ path: file });
      written.push(file);
    }
    for (const f of written) console.log(f);
    return 0;
  } finally {
    await browser.close();
  }
}

process.exitCode = await main();
