/**
 * Browser tests: a real yeyak server (the production composition over an in-memory PGlite, the
 * in-memory queue, the real clock, the demo seed at a small size) listening on a free port of
 * 127.0.0.1, and Debian's Chromium driven by playwright-core. Each test saves its last screen
 * under artifacts/screenshots/ (git-ignored).
 *
 * Chromium missing: under CI=true the test fails (.ci/run installs it); elsewhere it is skipped
 * with the reason. The web build (dist/web) is made once if it is missing.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, isChromiumInstalled, launchChromium } from '../../scripts/chromium.ts';
import { composeApp, type Services } from '../../src/app/compose.ts';
import { seedDemo, DEMO_POPULATION_SEED } from '../../src/app/seed.ts';
import { startOperations } from '../../src/app/operations.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { generatePopulation } from '../../src/synthetic/population.ts';
import { pgliteForTest, isCi, type TestDatabase } from './databases.ts';
import { testConfig } from './services.ts';

const WEB_DIR = resolve('dist/web');
export const SCREENSHOT_DIR = resolve('artifacts/screenshots');
const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource: string | undefined;

export function ensureWebBuild(): void {
  if (existsSync(join(WEB_DIR, 'index.html'))) return;
  const r = spawnSync('npm', ['run', 'build:web'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build:web failed');
}

/** Chromium, or undefined when the test was skipped (never under CI). */
export async function launchBrowser(t: TestContext): Promise<Browser | undefined> {
  if (!isChromiumInstalled()) {
    const message = `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
    if (isCi) throw new Error(`${message}; CI=true: browser tests fail rather than skip`);
    t.skip(message);
    return undefined;
  }
  return launchChromium();
}

export interface SiteServer {
  baseUrl: string;
  services: Services;
  /** A synthetic person of the demo population (made-up RRN) who is in the demo cohort. */
  person(index?: number): { rrn: string; name: string; birthDate: string };
  /** Birth dates of the whole demo population (for checking counts the pages show). */
  birthDates(): string[];
  close(): Promise<void>;
}

const POPULATION = 2_000;

/** A server with the demo seed; the demo campaign opens `opensInMs` after start. */
export async function startSite(opts: { opensInMs: number; env?: Record<string, string> }): Promise<SiteServer> {
  ensureWebBuild();
  const tdb: TestDatabase = await pgliteForTest();
  const config = testConfig({
    WEB_DIR,
    DEMO_POPULATION: String(POPULATION),
    DEMO_FACILITIES: '400',
    DEMO_SLOT_DAYS: '3',
    DEMO_OPENS_IN_MS: String(opts.opensInMs),
    COOKIE_SECURE: 'false',
    ...opts.env,
  });
  const log = pino({ level: 'silent' });
  const { app, services } = await composeApp({ config, clock: systemClock, logger: log, database: tdb });
  await seedDemo({ db: tdb.db, config, clock: systemClock, campaigns: services.campaigns, log });
  await services.waitingRoom.syncRooms();
  const stopQueue = services.waitingRoom.start(() => services.monitor.health(), log);
  const stopSender = services.outboxSender.start(config.outboxPollMs, () => undefined);
  const stopOperations = startOperations(services, config, log);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const people = [...generatePopulation({ size: POPULATION, seed: DEMO_POPULATION_SEED })];
  return {
    baseUrl: address,
    services,
    person(index = 0) {
      const p = people[index];
      if (!p) throw new Error(`no demo person ${index}`);
      return { rrn: p.rrn, name: p.name, birthDate: p.birthDate };
    },
    birthDates: () => people.map((p) => p.birthDate),
    async close() {
      stopOperations();
      await stopQueue();
      await app.close();
      await stopSender();
      await tdb.close();
    },
  };
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** Runs `steps`; if they throw, the screen at that moment is saved as `<name>-failed` first. */
export async function onFailureScreenshot<T>(
  page: () => Page | undefined,
  name: string,
  steps: () => Promise<T>,
): Promise<T> {
  try {
    return await steps();
  } catch (e) {
    const p = page();
    if (p && !p.isClosed()) await screenshot(p, `${name}-failed`, false).catch(() => undefined);
    throw e;
  }
}

/** Verifies demo person `index` and joins the demo queue over HTTP, as another phone would. */
export async function joinOverApi(site: SiteServer, index: number) {
  const p = site.person(index);
  const verified = await fetch(`${site.baseUrl}/api/identity/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ providerId: 'pass', rrn: p.rrn, name: p.name }),
  });
  assert.equal(verified.status, 200, await verified.clone().text());
  const { sessionToken } = (await verified.json()) as { sessionToken: string };
  const joined = await fetch(`${site.baseUrl}/api/campaigns/demo/queue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${sessionToken}` },
    body: JSON.stringify({ deviceId: `other-phone-${index}` }),
  });
  assert.equal(joined.status, 200, await joined.clone().text());
  return (await joined.json()) as { ticket: string; status: { kind: string; reference?: string | null } };
}

/** An operator session over HTTP: the cookie and CSRF token the console would hold. */
export async function operatorLogin(
  site: SiteServer,
  username = 'op',
  password = 'op-password-1',
): Promise<Record<string, string>> {
  const res = await fetch(`${site.baseUrl}/api/operator/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, 'x-csrf-token': csrfToken };
}

/** axe-core's violations of impact serious or critical on the page as it is now (WCAG 2.1 A/AA rules). */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, not as an inline <script>: the site's content
  // security policy (script-src 'self') rightly refuses inline scripts, and the test must not lift it.
  axeSource ??= readFileSync(AXE_SOURCE, 'utf8');
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            ctx: Document,
            o: object,
          ): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] }>;
        };
      }
    ).axe;
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) at ${v.targets.join(', ')}`);
}
