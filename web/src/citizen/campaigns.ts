/** The public shape of campaign rules (GET /api/campaigns) and how the site words them. */
import type { LocalizedText } from '../shared/api.ts';
import type { Lang } from '../shared/i18n.tsx';
import type { OpeningWire, PublicCampaignWire } from '../../../src/campaigns/campaign.schemas.ts';

export type Campaign = PublicCampaignWire;
export type Cohort = Campaign['cohorts'][number];
export type Phase = Campaign['phases'][number];
export type Opening = OpeningWire;

/** The last instant any phase of a campaign is open, for sorting current rounds first. */
export function closesAtMs(c: Campaign): number {
  return Math.max(
    ...c.phases.map((p) =>
      p.kind === 'window'
        ? Date.parse(p.closesAt)
        : Date.parse(`${p.firstDay}T00:00:00+09:00`) + (p.days + 1) * 86_400_000,
    ),
  );
}

export function isCurrent(c: Campaign, nowMs = Date.now()): boolean {
  return closesAtMs(c) > nowMs;
}

const VACCINES: Record<string, LocalizedText> = {
  pfizer: { ko: '화이자', en: 'Pfizer' },
  moderna: { ko: '모더나', en: 'Moderna' },
  mrna: { ko: 'mRNA 백신(화이자 또는 모더나)', en: 'mRNA vaccine (Pfizer or Moderna)' },
  astrazeneca: { ko: '아스트라제네카', en: 'AstraZeneca' },
  janssen: { ko: '얀센', en: 'Janssen' },
  novavax: { ko: '노바백스', en: 'Novavax' },
};

export function vaccineName(code: string, lang: Lang): string {
  return VACCINES[code]?.[lang] ?? code;
}
