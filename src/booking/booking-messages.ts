/** The texts citizens receive. Built from committed rows only: the outbox sends them after commit. */
import type { OutboxKind, OutboxPayload } from './booking.table.ts';

export interface MessageFacts {
  phone: string;
  bookingNumber: string;
  facilityName: { ko: string; en: string };
  dose1Date: string;
  dose2Date: string;
}

export function bookingMessage(kind: OutboxKind, f: MessageFacts): OutboxPayload {
  const when = {
    ko: `1차 ${f.dose1Date}, 2차 ${f.dose2Date}`,
    en: `dose 1 on ${f.dose1Date}, dose 2 on ${f.dose2Date}`,
  };
  const text = {
    'booking-confirmed': {
      ko: `[예약완료] 예약번호 ${f.bookingNumber}: ${f.facilityName.ko}, ${when.ko}.`,
      en: `[Booked] Booking ${f.bookingNumber}: ${f.facilityName.en}, ${when.en}.`,
    },
    'booking-changed': {
      ko: `[예약변경] 예약번호 ${f.bookingNumber}: ${f.facilityName.ko}, ${when.ko}.`,
      en: `[Changed] Booking ${f.bookingNumber}: ${f.facilityName.en}, ${when.en}.`,
    },
    'booking-cancelled': {
      ko: `[예약취소] 예약번호 ${f.bookingNumber}이(가) 취소되었습니다.`,
      en: `[Cancelled] Booking ${f.bookingNumber} has been cancelled.`,
    },
  }[kind];
  return { to: f.phone, bookingNumber: f.bookingNumber, text };
}
