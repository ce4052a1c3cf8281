/**
 * The booking path as an admitted person's requests reach it: each request is an admitted request
 * (src/booking/admitted-request.ts, the same function the HTTP routes call): the admission check,
 * one service call, and the end of the admission when a booking was placed. Latency is measured
 * where the request runs.
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
import type { AdmissionClaim, AdmissionProblem } from '../../src/waiting-room/admission-check.ts';
import { ok, type Result } from '../../src/platform/result.ts';

export interface Gate {
  readonly token: string;
  readonly identityHash: string;
  readonly deviceId: string;
}

export type PathRequest =
  | { readonly kind: 'eligibility'; readonly personId: number }
  | { readonly kind: 'search'; readonly personId: number; readonly filters: SlotFilters }
  | { readonly kind: 'book'; readonly input: PlaceBookingInput };

export type PathValue =
  | { readonly kind: 'eligibility'; readonly status: string }
  | { readonly kind: 'search'; readonly slotIds: number[] | null; readonly reason?: string }
  | {
      readonly kind: 'book';
      readonly booked: BookingView | null;
      readonly reason?: BookingFailure;
      readonly placeMs: number;
      readonly alternatives?: readonly Alternative[];
    };

/** What a slot-full refusal offers instead, as the citizen site's one tap books it. */
export interface Alternative {
  readonly facilityId: number;
  readonly date: string;
}

/** 200 with a value, 403 when the gate refused (reason), 500 when something threw (error). */
export interface PathReply {
  readonly status: 200 | 403 | 500;
  readonly ms: number;
  readonly value?: PathValue;
  readonly reason?: string;
  readonly error?: string;
}

export interface BookingPath {
  call(nowMs: number, gate: Gate, request: PathRequest): Promise<PathReply>;
  close(): Promise<void>;
}

/** Runs one request against `services` (whatever thread they live in). */
export async function handlePathRequest(
  services: Services,
  campaignId: string,
  gate: Gate,
  r: PathRequest,
): Promise<PathReply> {
  const t0 = performance.now();
  try {
    const claim = { campaignId, token: gate.token, identityHash: gate.identityHash, deviceId: gate.deviceId };
    const value = await serve(services, campaignId, claim, r);
    if (!value.ok) return { status: 403, ms: performance.now() - t0, reason: value.reason };
    return { status: 200, ms: performance.now() - t0, value: value.value };
  } catch (e) {
    return {
      status: 500,
      ms: performance.now() - t0,
      error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e),
    };
  }
}

/** `placeMs`: the admitted booking call as a whole (admission check, booking write, end of admission). */
async function serve(
  services: Services,
  campaignId: string,
  claim: AdmissionClaim,
  r: PathRequest,
): Promise<Result<PathValue, AdmissionProblem>> {
  switch (r.kind) {
    case 'eligibility': {
      const d = await services.admitted.run(claim, () => services.availability.eligibilityOf(r.personId, campaignId));
      return d.ok ? ok({ kind: 'eligibility', status: d.value.ok ? d.value.value.status : d.value.reason }) : d;
    }
    case 'search': {
      const s = await services.admitted.run(claim, () =>
        services.availability.openSlotsFor(r.personId, campaignId, r.filters),
      );
      if (!s.ok) return s;
      return ok(
        s.value.ok
          ? { kind: 'search', slotIds: s.value.value.slots.map((x) => x.slotId) }
          : { kind: 'search', slotIds: null, reason: s.value.reason },
      );
    }
    case 'book': {
      const t0 = performance.now();
      const placed = await services.admitted.placeBooking(claim, r.input);
      const placeMs = performance.now() - t0;
      if (!placed.ok) return placed;
      if (placed.value.ok) return ok({ kind: 'book', booked: placed.value.value, placeMs });
      const offered = (placed.value.detail?.['alternatives'] ?? []) as Alternative[];
      const alternatives = offered.map((a) => ({ facilityId: a.facilityId, date: a.date }));
      return ok({ kind: 'book', booked: null, reason: placed.value.reason, placeMs, alternatives });
    }
  }
}

/** The booking path in the simulator's own thread (small runs, tests). */
export function inProcessBookingPath(
  services: Services,
  campaignId: string,
  clock: { set(ms: number): void },
): BookingPath {
  return {
    call: (nowMs, gate, request) => {
      clock.set(nowMs);
      return handlePathRequest(services, campaignId, gate, request);
    },
    close: async () => {},
  };
}
