/**
 * The campaign a live run serves: the scenario's 2021 round with its first opening moved to
 * `opensAtMs` (today, on a whole minute), so the server's real clock sees the night happen now.
 * A window stays a window of the same length; a rotation day stays a one-day rotation for the same
 * digit. Validated like any campaign.
 */
import { formatLocalDate, formatSeoulInstant, seoulWallClockAt } from '../../src/platform/calendar.ts';
import { openingsOf } from '../../src/eligibility/openings.ts';
import { validateCampaignRules, type CampaignRules } from '../../src/eligibility/rules.ts';

export function liveCampaignRules(seed: CampaignRules, id: string, opensAtMs: number): CampaignRules {
  const first = openingsOf(seed)[0];
  if (!first) throw new Error(`campaign ${seed.id} has no opening`);
  const range = {
    ...(first.bornFrom ? { bornFrom: first.bornFrom } : {}),
    ...(first.bornTo ? { bornTo: first.bornTo } : {}),
  };
  let phase: Record<string, unknown>;
  if (first.birthDayDigit === undefined) {
    phase = {
      kind: 'window',
      id: 'live',
      label: first.label,
      opensAt: formatSeoulInstant(opensAtMs),
      closesAt: formatSeoulInstant(opensAtMs + first.closesAtMs - first.opensAtMs),
      ...range,
    };
  } else {
    const original = seed.phases.find((p) => p.id === first.phaseId);
    const clock = seoulWallClockAt(opensAtMs);
    phase = {
      kind: 'rotation',
      id: 'live',
      label: first.label,
      firstDay: formatLocalDate(clock.date),
      days: 1,
      firstDigit: first.birthDayDigit,
      opensAtLocal: `${String(clock.hour).padStart(2, '0')}:${String(clock.minute).padStart(2, '0')}`,
      closesAtLocalNextDay: original?.kind === 'rotation' ? original.closesAtLocalNextDay : '18:00',
      ...range,
    };
  }
  const r = validateCampaignRules({
    ...seed,
    id,
    version: 1,
    phases: [phase],
    notes: [`Live simulator copy of ${seed.id}: its first opening moved to ${formatSeoulInstant(opensAtMs)}.`],
  });
  if (!r.ok) throw new Error(`live campaign for ${seed.id} is invalid: ${JSON.stringify(r.detail)}`);
  return r.value;
}
