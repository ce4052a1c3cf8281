/** The order "When can I book?" answers in (pure: the unit tier tests it without a browser). */
import type { OpeningWire, PublicCampaignWire } from '../../../src/campaigns/campaign.schemas.ts';

type Campaign = PublicCampaignWire;
type Opening = OpeningWire;

export type OpeningState = 'open' | 'upcoming' | 'closed';
const stateOf = (o: Opening, nowMs: number): OpeningState =>
  Date.parse(o.closesAt) <= nowMs ? 'closed' : Date.parse(o.opensAt) <= nowMs ? 'open' : 'upcoming';
const RANK: Record<OpeningState, number> = { open: 0, upcoming: 1, closed: 2 };

/**
 * Rounds in the order a person needs them: open now first, then upcoming, then closed; each by its
 * opening time. Closed rounds (the 2021 history) stay listed, marked as closed.
 */
export function orderedAnswer(
  rows: { campaign: Campaign; openings: Opening[] }[],
  nowMs: number,
): { campaign: Campaign; openings: (Opening & { state: OpeningState })[] }[] {
  const sorted = rows.map(({ campaign, openings }) => ({
    campaign,
    openings: openings
      .map((o) => ({ ...o, state: stateOf(o, nowMs) }))
      .sort((a, b) => RANK[a.state] - RANK[b.state] || Date.parse(a.opensAt) - Date.parse(b.opensAt)),
  }));
  const key = (r: (typeof sorted)[number]) => r.openings[0]!;
  return sorted.sort(
    (a, b) =>
      RANK[key(a).state] - RANK[key(b).state] ||
      (key(a).state === 'closed'
        ? Date.parse(key(b).opensAt) - Date.parse(key(a).opensAt)
        : Date.parse(key(a).opensAt) - Date.parse(key(b).opensAt)),
  );
}
