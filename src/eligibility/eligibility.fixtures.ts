/**
 * Test helpers for the eligibility specs: Korea-time instants written the way an operator reads
 * them and a small valid campaign to mutate. The runner that repeats a suite under several process
 * time zones is src/platform/time-zones.fixtures.ts.
 */
import assert from 'node:assert/strict';
import { validateCampaignRules, type CampaignRules } from './rules.ts';
import { loadSeedCampaigns } from './seed-campaigns.ts';

/** Epoch ms of a Seoul wall-clock time, e.g. `kst('2021-07-20T03:00')`; parsed by the platform, not by us. */
export function kst(localDateTime: string): number {
  const ms = Date.parse(`${localDateTime.length === 16 ? `${localDateTime}:00` : localDateTime}+09:00`);
  assert.ok(Number.isFinite(ms), `bad test instant ${localDateTime}`);
  return ms;
}

export const MINUTE_MS = 60_000;

let seeds: CampaignRules[] | undefined;

export function seedCampaign(id: string): CampaignRules {
  seeds ??= loadSeedCampaigns();
  const campaign = seeds.find((c) => c.id === id);
  assert.ok(campaign, `no seed campaign ${id}`);
  return campaign;
}

export function allSeedCampaigns(): CampaignRules[] {
  seeds ??= loadSeedCampaigns();
  return seeds;
}

/** A fresh, valid, plain (unvalidated) campaign document: one window and one rotation. */
export function newRulesDocument(): Record<string, unknown> & {
  cohorts: Record<string, unknown>[];
  phases: Record<string, unknown>[];
} {
  return {
    id: 'test-round',
    version: 1,
    name: { ko: '시험', en: 'Test round' },
    timeZone: 'Asia/Seoul',
    proxyBooking: 'banned',
    cohorts: [
      {
        id: 'born-1972-2003',
        bornFrom: '1972-01-01',
        bornTo: '2003-12-31',
        vaccine: { code: 'mrna', name: { ko: 'mRNA', en: 'mRNA' }, doseIntervalDays: 42 },
      },
    ],
    phases: [
      {
        kind: 'rotation',
        id: 'rotation',
        label: { ko: '10부제', en: 'Rotation' },
        firstDay: '2021-08-09',
        days: 10,
        firstDigit: 9,
        opensAtLocal: '20:00',
        closesAtLocalNextDay: '18:00',
      },
      {
        kind: 'window',
        id: 'catch-up',
        label: { ko: '추가', en: 'Catch-up' },
        opensAt: '2021-08-21T20:00:00+09:00',
        closesAt: '2021-09-18T18:00:00+09:00',
      },
    ],
  };
}

/** Validates a document that the test expects to be valid. */
export function rulesFrom(document: unknown): CampaignRules {
  const result = validateCampaignRules(document);
  if (!result.ok) assert.fail(`expected valid rules, got ${JSON.stringify(result.detail)}`);
  return result.value;
}
