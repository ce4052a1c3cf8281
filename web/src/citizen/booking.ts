/** Booking shapes as the API returns them, and the calls that change a booking. */
import { apiRequest } from '../shared/api.ts';
import { citizenHeaders, type Session } from './store.ts';
import type { BookingViewWire, SlotSearchWire, SlotWire } from '../../../src/booking/booking.schemas.ts';

/** `facility` is null when the facility was removed after booking: pages say so instead of failing. */
export type BookingView = BookingViewWire;
export type Slot = SlotWire;
export type SlotSearch = SlotSearchWire;

export interface SlotFilters {
  region: string;
  district: string;
  date: string;
}

const campaignPath = (id: string) => `/api/campaigns/${encodeURIComponent(id)}`;
const bookingPath = (n: string) => `/api/bookings/${encodeURIComponent(n)}`;

function slotQuery(f: SlotFilters): URLSearchParams {
  const q = new URLSearchParams({ limit: '50' });
  if (f.region) q.set('region', f.region);
  if (f.district) q.set('district', f.district);
  if (f.date) q.set('date', f.date);
  return q;
}

/** Slots to book (needs the admission) … */
export function searchSlots(s: Session, campaignId: string, f: SlotFilters) {
  return apiRequest<SlotSearch>(`${campaignPath(campaignId)}/slots?${slotQuery(f)}`, {
    headers: citizenHeaders(s, campaignId),
  });
}

/** … or to move an active booking to (the booking is the permission; no queue). */
export function searchChangeSlots(s: Session, bookingNumber: string, f: SlotFilters) {
  return apiRequest<SlotSearch>(`${bookingPath(bookingNumber)}/slots?${slotQuery(f)}`, { headers: citizenHeaders(s) });
}

/** `idempotencyKey` is chosen once per booking attempt and sent again on every retry of it. */
export function placeBooking(s: Session, campaignId: string, slotId: number, idempotencyKey: string) {
  return apiRequest<BookingView>(`${campaignPath(campaignId)}/bookings`, {
    method: 'POST',
    body: { slotId },
    headers: { ...citizenHeaders(s, campaignId), 'idempotency-key': idempotencyKey },
  });
}

/** The earliest free seat at a facility from a date on, picked and taken by the server in one step (what an alternative's one tap books). */
export function placeEarliestBooking(
  s: Session,
  campaignId: string,
  at: { facilityId: number; fromDate: string },
  idempotencyKey: string,
) {
  return apiRequest<BookingView>(`${campaignPath(campaignId)}/bookings`, {
    method: 'POST',
    body: { earliestAt: at },
    headers: { ...citizenHeaders(s, campaignId), 'idempotency-key': idempotencyKey },
  });
}

/** The free slots a slot-full refusal offers instead (its problem's `alternatives`). */
export function alternativesOf(problem: { [member: string]: unknown }): Slot[] {
  return Array.isArray(problem['alternatives']) ? (problem['alternatives'] as Slot[]) : [];
}

export function changeBooking(s: Session, bookingNumber: string, slotId: number) {
  return apiRequest<BookingView>(bookingPath(bookingNumber), {
    method: 'PATCH',
    body: { slotId },
    headers: citizenHeaders(s),
  });
}

export function cancelBooking(s: Session, bookingNumber: string) {
  return apiRequest<BookingView>(bookingPath(bookingNumber), { method: 'DELETE', headers: citizenHeaders(s) });
}

export function getBooking(s: Session, bookingNumber: string) {
  return apiRequest<BookingView>(bookingPath(bookingNumber), { headers: citizenHeaders(s) });
}

export function myBookings(s: Session) {
  return apiRequest<{ bookings: BookingView[] }>('/api/bookings', { headers: citizenHeaders(s) });
}
