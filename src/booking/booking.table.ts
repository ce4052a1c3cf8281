import type { ColumnType, Generated, Selectable } from 'kysely';

/** Calendar dates travel as 'YYYY-MM-DD' strings (both drivers are set to return them so). */
export type DateString = string;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface SlotsTable {
  id: Generated<number>;
  campaign_id: string;
  facility_id: number;
  date: DateString;
  vaccine_code: string;
  dose: 1 | 2;
  rotation_group: number | null;
  capacity: number;
  booked: Generated<number>;
}

export interface BookingsTable {
  id: Generated<number>;
  booking_number: string;
  campaign_id: string;
  campaign_version: number;
  person_id: number;
  requested_by_id: number;
  status: 'active' | 'cancelled';
  facility_id: number;
  vaccine_code: string;
  dose1_slot_id: number;
  dose1_date: DateString;
  dose2_slot_id: number;
  dose2_date: DateString;
  idempotency_key: string;
  admission_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  cancelled_at: Timestamp | null;
}

export type OutboxKind = 'booking-confirmed' | 'booking-changed' | 'booking-cancelled';
/** Every kind the outbox carries: booking messages, and the waiting room's "your turn is near" (0006). */
export type MessageKind = OutboxKind | 'turn-near';

export interface OutboxTable {
  id: Generated<number>;
  /** null for a 'turn-near' message (migrations/0008_turn_notices.sql). */
  booking_id: number | null;
  kind: MessageKind;
  payload: ColumnType<OutboxPayload, string, string>;
  created_at: Timestamp;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  sent_at: Timestamp | null;
  failed_at: Timestamp | null;
  last_error: string | null;
  /** A 'turn-near' message's "campaign/partition/identity hash" (unique); null for booking messages. */
  notice_key: Generated<string | null>;
}

/** What a confirmation message carries: enough to send it, nothing else (never an RRN). */
export interface OutboxPayload {
  to: string;
  /** Booking messages only. */
  bookingNumber?: string;
  text: { ko: string; en: string };
  /** A 'turn-near' message's link back to the queue page. */
  link?: string;
}

export type SlotRow = Selectable<SlotsTable>;
export type BookingRow = Selectable<BookingsTable>;
export type OutboxRow = Selectable<OutboxTable>;
