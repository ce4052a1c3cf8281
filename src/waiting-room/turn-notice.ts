/**
 * "Text me when it is my turn" — the pure part. A person who opted in is sent one message when
 * their place is within the campaign's lead time of the front, by the same ETA the queue page shows
 * them (snapshot.ts `etaBand`: ahead / measured rate of their partition); the message carries a link
 * that resumes their place, and their grace period counts from the message (the claim's
 * `graceFromMs`), so a message that goes out late, or a cursor that moved faster than its estimate,
 * never costs them the place.
 */
import type { LocalizedText } from '../eligibility/rules.ts';
import { etaBand, type RateBand } from './snapshot.ts';

/** A campaign's setting (rules.ts `turnNotice`); absent means off. */
export interface TurnNoticeSetting {
  readonly enabled: boolean;
  /** Send when the ETA shown to the person is at most this many minutes. */
  readonly leadMinutes: number;
}

export const isTurnNoticeOn = (s: TurnNoticeSetting | undefined): s is TurnNoticeSetting => s?.enabled === true;

/**
 * The last seq of a partition whose shown ETA is within `leadMs`: the seq right after the cursor
 * always; beyond it, the largest `ahead` with etaBand(ahead).expectedMs ≤ leadMs. With no
 * measured rate the page shows no ETA, so only the front is due. The ETA grows with `ahead`, so a
 * doubling then bisecting search finds it in O(log n) ETA evaluations.
 */
export function noticeThroughSeq(cursor: number, rate: RateBand | null, leadMs: number): number {
  const within = (ahead: number) => {
    const eta = etaBand(ahead, rate);
    return eta !== null && eta.expectedMs <= leadMs;
  };
  if (!within(1)) return cursor + 1;
  let lo = 1;
  let hi = 2;
  while (within(hi) && hi < Number.MAX_SAFE_INTEGER / 4) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (within(mid)) lo = mid;
    else hi = mid;
  }
  return cursor + 1 + lo;
}

/** The link in the message: the campaign's queue page, which resumes the place on this device. */
export function resumeLink(publicBaseUrl: string, campaignId: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/#/c/${encodeURIComponent(campaignId)}/queue`;
}

/** The message text (Korean and English, like every message): the campaign, the lead time, the link, the grace. */
export function turnNoticeText(o: {
  campaignName: LocalizedText;
  leadMinutes: number;
  link: string;
  graceMinutes: number;
}): LocalizedText {
  return {
    ko:
      `[예약 차례 안내] ${o.campaignName.ko}: 약 ${o.leadMinutes}분 안에 차례가 옵니다. ` +
      `${o.graceMinutes}분 안에 이 링크를 여세요(순서가 유지됩니다): ${o.link}`,
    en:
      `[Your turn is near] ${o.campaignName.en}: your turn comes in about ${o.leadMinutes} min. ` +
      `Open this link within ${o.graceMinutes} min to keep your place: ${o.link}`,
  };
}

/** A notice's key in the outbox: one message per place, whatever retries or leaders do. */
export const noticeKey = (campaignId: string, partition: number, identityHash: string, seq: number) =>
  `${campaignId}/${partition}/${identityHash}/${seq}`;
