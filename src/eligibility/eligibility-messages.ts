/**
 * What a citizen reads for each eligibility decision, in Korean and English. Times are always
 * spelled out in Korea time, whatever the reader's device thinks the time zone is.
 */
import type { CampaignRules, LocalizedText } from './rules.ts';
import { describeDate, describeSeoulInstant, parseLocalDate } from '../platform/calendar.ts';

export function eligibleMessage(closesAtMs: number): LocalizedText {
  const closes = describeSeoulInstant(closesAtMs);
  return {
    ko: `지금 예약할 수 있습니다. 예약 마감은 ${closes.ko}(한국 시간)입니다.`,
    en: `You can book now, until ${closes.en} (Korea time).`,
  };
}

export function notYetMessage(opensAtMs: number): LocalizedText {
  const opens = describeSeoulInstant(opensAtMs);
  return {
    ko: `${opens.ko}(한국 시간)부터 예약할 수 있습니다.`,
    en: `Your booking opens on ${opens.en} (Korea time).`,
  };
}

export function windowClosedMessage(lastClosedAtMs: number): LocalizedText {
  const closed = describeSeoulInstant(lastClosedAtMs);
  return {
    ko: `해당 생년월일의 예약 기간은 ${closed.ko}(한국 시간)에 마감되었습니다.`,
    en: `Booking for your birth date closed on ${closed.en} (Korea time).`,
  };
}

export function alreadyBookedMessage(): LocalizedText {
  return {
    ko: '이미 예약하셨습니다. 새로 예약하는 대신 기존 예약을 변경하거나 취소할 수 있습니다.',
    en: 'You already have a booking. You can change or cancel it instead of booking again.',
  };
}

/** Names the birth-date ranges the campaign is for, so "not eligible" always says who is. */
export function notInCohortMessage(campaign: CampaignRules): LocalizedText {
  const ranges = campaign.cohorts.map((cohort) => {
    const from = describeDate(parseLocalDate(cohort.bornFrom) ?? unreadable(cohort.bornFrom));
    const to = describeDate(parseLocalDate(cohort.bornTo) ?? unreadable(cohort.bornTo));
    return { ko: `${from.ko} ~ ${to.ko}`, en: `from ${from.en} to ${to.en}` };
  });
  return {
    ko: `이번 예약은 ${ranges.map((r) => r.ko).join(', ')} 출생자를 대상으로 합니다.`,
    en: `This booking is for people born ${ranges.map((r) => r.en).join(' or ')}.`,
  };
}

function unreadable(text: string): never {
  throw new TypeError(`unvalidated campaign rules: cannot read '${text}'`);
}
