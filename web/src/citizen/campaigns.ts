/** The public shape of campaign rules (GET /api/campaigns) and how the site words them. */
import type { LocalizedText } from '../shared/api.ts';
import type { Lang } from '../shared/i18n.tsx';

export interface Cohort { id: string; bornFrom: string; bornTo: string; vaccine: { code: string; name: LocalizedText; doseIntervalDays: number } }
export type Phase =
  | { kind: 'window'; id: string; label: LocalizedText; opensAt: string; closesAt: string; bornFrom?: string; bornTo?: string }
  | { kind: 'rotation'; id: string; label: LocalizedText; firstDay: string; days: number; firstDigit: number; opensAtLocal: string; closesAtLocalNextDay: string; bornFrom?: string; bornTo?: string };
export interface Campaign { id: string; version: number; name: LocalizedText; proxyBooking: 'allowed' | 'banned'; cohorts: Cohort[]; phases: Phase[] }

export interface Opening { phaseId: string; label: LocalizedText; opensAt: string; closesAt: string }

/** The last instant any phase of a campaign is open, for sorting current rounds first. */
export function closesAtMs(c: Campaign): number {
  return Math.max(...c.phases.map((p) => (p.kind === 'window' ? Date.parse(p.closesAt) : Date.parse(`${p.firstDay}T00:00:00+09:00`) + (p.days + 1) * 86_400_000)));
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
