/**
 * An admitted request: the admission check, then one service call, then — when a booking was
 * placed — the end of that admission. The HTTP routes and the simulator's booking path both go
 * through here, so a change to the gate is made once.
 *
 * The result is two-layered: the outer Result says whether the gate let the request through (its
 * refusal is an admission problem), the inner one is the service's own answer.
 */
import { ok, type Result } from '../platform/result.ts';
import type { AdmissionClaim, AdmissionProblem } from '../waiting-room/admission-check.ts';
import type { BookingFailure, BookingService, BookingView, PlaceBookingInput } from './booking.service.ts';

/** The waiting room as the booking path needs it. */
export interface Admissions {
  /** The admission a request is made under, or the problem that refuses it. */
  check(claim: AdmissionClaim): Promise<Result<{ admissionId: string }, AdmissionProblem>>;
  /** A booking committed under this admission: end it, so its token opens nothing any more. */
  end(a: { campaignId: string; identityHash: string; deviceId: string; isProxy: boolean }): Promise<void>;
  /** The identity's own booking in this campaign was cancelled: let them queue again, at the back. */
  reopen(a: { campaignId: string; identityHash: string }): Promise<void>;
}

export type Admitted<T, R extends string> = Result<Result<T, R>, AdmissionProblem>;

/** `admissions: null` is ADMISSION_GATE=off (benchmark only): no check and no admission to end, as in 2021. */
export function createAdmittedRequests(d: {
  booking: Pick<BookingService, 'placeBooking' | 'retriedBooking' | 'cancelBooking'>;
  admissions: Admissions | null;
}) {
  /** Runs `work` under the request's admission. */
  async function run<T, R extends string>(
    claim: AdmissionClaim,
    work: (admissionId: string | undefined) => Promise<Result<T, R>>,
  ): Promise<Admitted<T, R>> {
    if (!d.admissions) return ok(await work(undefined));
    const admitted = await d.admissions.check(claim);
    if (!admitted.ok) return admitted;
    return ok(await work(admitted.value.admissionId));
  }

  /**
   * Places a booking under the request's admission and ends the admission when it commits. A retry
   * whose first attempt committed (its answer lost to a crash or a dropped connection) finds its
   * admission used or expired: it is answered with the booking its idempotency key made, which
   * takes no seat and shows the requester only what they booked.
   */
  async function placeBooking(
    claim: AdmissionClaim,
    input: Omit<PlaceBookingInput, 'admissionId'>,
  ): Promise<Admitted<BookingView, BookingFailure>> {
    if (!d.admissions) return ok(await d.booking.placeBooking(input));
    const admitted = await d.admissions.check(claim);
    if (!admitted.ok) {
      const isSpent = admitted.reason === 'admission-used' || admitted.reason === 'admission-expired';
      const previous = isSpent ? await d.booking.retriedBooking(input) : undefined;
      return previous ? ok(ok(previous)) : admitted;
    }
    const placed = await d.booking.placeBooking({ ...input, admissionId: admitted.value.admissionId });
    if (placed.ok)
      await d.admissions.end({
        campaignId: claim.campaignId,
        identityHash: claim.identityHash,
        deviceId: claim.deviceId ?? '',
        isProxy: placed.value.isProxy,
      });
    return ok(placed);
  }

  /**
   * Cancels a booking (no admission needed: a person may always cancel) and, when it was the
   * requester's own booking, lets their identity queue again for this campaign as a new arrival.
   * A proxy booking never marked the requester's place completed, so there is nothing to reopen.
   */
  async function cancelBooking(
    who: { identityHash: string },
    input: { requesterId: number; bookingNumber: string },
  ): Promise<Result<BookingView, BookingFailure>> {
    const cancelled = await d.booking.cancelBooking(input);
    if (cancelled.ok && !cancelled.value.isProxy && d.admissions)
      await d.admissions.reopen({ campaignId: cancelled.value.campaignId, identityHash: who.identityHash });
    return cancelled;
  }

  return { run, placeBooking, cancelBooking };
}

export type AdmittedRequests = ReturnType<typeof createAdmittedRequests>;
