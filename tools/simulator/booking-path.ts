/**
 * The booking path as an admitted person's requests reach it: each request passes the admission
 * gate (`verifyAdmission`) and then calls one service, as the HTTP routes do; a placed booking ends
 * the admission (`bookingPlaced`). Latency is measured where the request runs.
 *
 * Two adapters with one contract: in the simulator's own thread, or spread over worker threads
 * (booking-workers.ts), each with its own services and connection pools, as production spreads
 * requests over several processes. A profile of the full-scale run showed why the second exists:
 * one Node thread serving both the million-person front door and ~17 Postgres round trips per
 * booking left Postgres idle and the event loop saturated.
 */
import type { Services } from '../../src/app/compose.ts';
import type { BookingFailure, BookingView, PlaceBookingInput } from '../../src/booking/booking.service.ts';
import type { SlotFilters } from '../../src/booking/availability.service.ts';

export interface Gate { readonly token: string; readonly identityHash: string; readonly deviceId: string }

export type PathRequest =
  | { readonly kind: 'eligibility'; readonly personId: number }
  | { readonly kind: 'search'; readonly personId: number; readonly filters: SlotFilters }
  | { readonly kind: 'book'; readonly input: PlaceBookingInput; readonly isProxy: boolean };

export type PathValue =
  | { readonly kind: 'eligibility'; readonly status: string }
  | { readonly kind: 'search'; readonly slotIds: number[] | null; readonly reason?: string }
  | { readonly kind: 'book'; readonly booked: BookingView | null; readonly reason?: BookingFailure; readonly placeMs: number };

/** 200 with a value, 403 when the gate refused (reason), 500 when something threw (error). */
export interface PathReply { readonly status: 200 | 403 | 500; readonly ms: number; readonly value?: PathValue; readonly reason?: string; readonly error?: string }

export interface BookingPath {
  call(nowMs: number, gate: Gate, request: PathRequest): Promise<PathReply>;
  close(): Promise<void>;
}

/** Runs one request against `services` (whatever thread they live in). */
export async function handlePathRequest(services: Services, campaignId: string, gate: Gate, r: PathRequest): Promise<PathReply> {
  const t0 = performance.now();
  try {
    const admitted = await services.waitingRoom.service.verifyAdmission({ campaignId, ...gate });
    if (!admitted.ok) return { status: 403, ms: performance.now() - t0, reason: admitted.reason };
    const value = await serve(services, campaignId, gate, r, admitted.value.admissionId);
    return { status: 200, ms: performance.now() - t0, value };
  } catch (e) {
    return { status: 500, ms: performance.now() - t0, error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
  }
}

async function serve(services: Services, campaignId: string, gate: Gate, r: PathRequest, admissionId: string): Promise<PathValue> {
  switch (r.kind) {
    case 'eligibility': {
      const d = await services.availability.eligibilityOf(r.personId, campaignId);
      return { kind: 'eligibility', status: d.ok ? d.value.status : d.reason };
    }
    case 'search': {
      const s = await services.availability.openSlotsFor(r.personId, campaignId, r.filters);
      return s.ok ? { kind: 'search', slotIds: s.value.slots.map((x) => x.slotId) } : { kind: 'search', slotIds: null, reason: s.reason };
    }
    case 'book': {
      const t0 = performance.now();
      const placed = await services.booking.placeBooking({ ...r.input, admissionId });
      const placeMs = performance.now() - t0;
      if (!placed.ok) return { kind: 'book', booked: null, reason: placed.reason, placeMs };
      await services.waitingRoom.service.bookingPlaced({ campaignId, identityHash: gate.identityHash, deviceId: gate.deviceId, isProxy: r.isProxy });
      return { kind: 'book', booked: placed.value, placeMs };
    }
  }
}

/** The booking path in the simulator's own thread (small runs, tests). */
export function inProcessBookingPath(services: Services, campaignId: string, clock: { set(ms: number): void }): BookingPath {
  return {
    call: (nowMs, gate, request) => { clock.set(nowMs); return handlePathRequest(services, campaignId, gate, request); },
    close: async () => {},
  };
}
