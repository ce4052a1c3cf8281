/**
 * What a call-centre agent does for a caller (issue 15, item 4): verify them through the same
 * identity-provider port citizens use, admit them through the campaign's phone lane, and book,
 * change or cancel through the booking service — the same rules, the same seats, the same
 * single-use admission a queue booking consumes. Every action is an audit entry (actor kind
 * 'agent') with the state before and after; a booking's entry names its lane admission.
 *
 * The caller's verification is the identity service's own session token: the agent's page keeps
 * it in memory and sends it with each call for that caller. The RRN is hashed by the identity
 * service and dropped; nothing here sees it after verification.
 */
import type { Clock } from '../platform/clock.ts';
import { err, ok, type Result } from '../platform/result.ts';
import type { IdentityService, Session } from '../identity/identity.service.ts';
import type { BookingFailure, BookingService, BookingView } from '../booking/booking.service.ts';
import type { AvailabilityService, SlotFilters } from '../booking/availability.service.ts';
import type { AuditRecorder } from '../audit/audit.service.ts';
import {
  decideLaneAdmission,
  laneAllowance,
  laneRetryAfterMs,
  LANE_WINDOW_MS,
  MAX_LANE_SHARE_PERCENT,
  type LaneAllowance,
  type LaneRefusal,
  type LaneRoomState,
} from '../waiting-room/agent-lane.ts';
import type { ReferenceLookup, ReferenceRefusal, WaitingRoomService } from '../waiting-room/waiting-room.service.ts';
import type { AgentAdmission, AgentLaneStore, StoredLaneQuota } from './agents.ts';

export * from './agents.ts';

/** The waiting room as the lane needs it. */
export interface LaneRoom {
  /** The room's opening instant, pause and rate; null when the campaign has no waiting room here. */
  stateOf(campaignId: string): LaneRoomState | null;
  /** Lane admissions to take off the queue's allowance (admission-loop.ts). */
  noteLaneAdmissions(campaignId: string, count: number): void;
  /** Where the place a citizen's queue reference names stands (the operator console's lookup). */
  lookupReference: WaitingRoomService['lookupReference'];
}

export interface AgentServiceDeps {
  clock: Clock;
  identity: Pick<IdentityService, 'verify' | 'authenticate'>;
  booking: Pick<
    BookingService,
    'placeBooking' | 'retriedBooking' | 'changeBooking' | 'cancelBooking' | 'myBookings' | 'getBooking'
  >;
  availability: Pick<AvailabilityService, 'eligibilityOf' | 'openSlotsFor' | 'changeOptionsFor'>;
  lane: AgentLaneStore;
  room: LaneRoom;
  audit: AuditRecorder;
  newAdmissionId(): string;
  /** How long a lane admission stays usable for its booking (ms); the queue's admission TTL. */
  admissionTtlMs: number;
}

export type CallerFailure = 'caller-unverified';
export type AgentBookingFailure = BookingFailure | LaneRefusal | CallerFailure | 'campaign-not-found';

/** How far back each feed of lane admissions reads again (ms): longer than any insert takes to commit. */
export const LANE_FEED_OVERLAP_MS = 10_000;

const agentActor = (name: string) => ({ kind: 'agent' as const, name });
/** How a caller appears in the trail: by the keyed hash of their number, never the number or name. */
const callerTarget = (identityHash: string) => `caller:${identityHash}`;

export function createAgentService(d: AgentServiceDeps) {
  async function callerOf(token: string | undefined): Promise<Result<Session, CallerFailure>> {
    const s = await d.identity.authenticate(token);
    return s.ok && s.value.verification ? s : err('caller-unverified');
  }

  async function verifyCaller(agent: string, input: { providerId: string; rrn: string; name: string }) {
    const verified = await d.identity.verify(input);
    if (!verified.ok) {
      await d.audit.record({
        actor: agentActor(agent),
        action: 'agent-verify-failed',
        detail: { providerId: input.providerId, reason: verified.reason },
      });
      return verified;
    }
    const caller = await callerOf(verified.value.sessionToken);
    if (!caller.ok) throw new Error('a session just issued did not authenticate');
    await d.audit.record({
      actor: agentActor(agent),
      action: 'agent-verify',
      target: callerTarget(caller.value.identityHash),
      after: caller.value.verification,
    });
    return ok({
      callerToken: verified.value.sessionToken,
      expiresAt: verified.value.expiresAt,
      person: verified.value.person,
      providerId: caller.value.verification!.providerId,
    });
  }

  /** The lane's quota and what it allows now, for the agent page and the console. */
  async function laneStatus(campaignId: string) {
    const room = d.room.stateOf(campaignId);
    const quota = await d.lane.quotaOf(campaignId);
    const nowMs = d.clock.nowMs();
    const used = await d.lane.countSince(campaignId, nowMs - LANE_WINDOW_MS);
    return {
      campaignId,
      quota,
      maxSharePercent: MAX_LANE_SHARE_PERCENT,
      hasRoom: room !== null,
      isOpen: room !== null && nowMs >= room.opensAtMs,
      isPaused: room?.isPaused ?? false,
      ratePerSec: room?.ratePerSec ?? 0,
      allowance: laneAllowance({
        quota,
        room: room ?? { opensAtMs: 0, isPaused: false, ratePerSec: 0 },
        usedInWindow: used,
        nowMs,
      }),
    };
  }

  async function setLaneQuota(operator: string, campaignId: string, sharePercent: number) {
    if (!d.room.stateOf(campaignId)) return err('campaign-not-found' as const);
    const before = await d.lane.quotaOf(campaignId);
    await d.lane.setQuota(campaignId, { sharePercent }, operator, d.clock.nowMs());
    await d.audit.record({
      actor: { kind: 'operator', name: operator },
      action: 'agent-lane-quota',
      campaignId,
      target: `campaign:${campaignId}`,
      before: before ? { sharePercent: before.sharePercent } : null,
      after: { sharePercent },
    });
    return ok(await laneStatus(campaignId));
  }

  /** The caller's unused lane admission for this campaign, or a new one if the lane allows it now. */
  async function laneAdmission(
    agent: string,
    caller: Session,
    campaignId: string,
  ): Promise<Result<AgentAdmission, LaneRefusal | 'campaign-not-found'>> {
    const nowMs = d.clock.nowMs();
    const open = await d.lane.openAdmissionOf(campaignId, caller.identityHash, nowMs);
    if (open) return ok(open);
    const room = d.room.stateOf(campaignId);
    if (!room) return err('campaign-not-found');
    const quota: StoredLaneQuota | null = await d.lane.quotaOf(campaignId);
    const admission: AgentAdmission = {
      admissionId: `agent-${d.newAdmissionId()}`,
      campaignId,
      agent,
      identityHash: caller.identityHash,
      verificationProvider: caller.verification!.providerId,
      verifiedAtMs: caller.verification!.verifiedAtMs,
      admittedAtMs: nowMs,
      expiresAtMs: nowMs + d.admissionTtlMs,
    };
    const admitted = await d.lane.admitIfAllowed(admission, LANE_WINDOW_MS, (usedInWindow) =>
      decideLaneAdmission({ quota, room, usedInWindow, nowMs }),
    );
    if (!admitted.ok) {
      const leavesAtMs = admitted.detail?.leavesAtMs;
      return typeof leavesAtMs === 'number'
        ? err(admitted.reason, {
            ...admitted.detail,
            retryAfterSec: Math.ceil(laneRetryAfterMs(leavesAtMs, nowMs) / 1000),
          })
        : admitted;
    }
    await d.audit.record({
      actor: agentActor(agent),
      action: 'agent-admission',
      campaignId,
      target: callerTarget(caller.identityHash),
      after: { admissionId: admission.admissionId, lane: 'agent', expiresAtMs: admission.expiresAtMs },
      detail: { sharePercent: quota?.sharePercent ?? 0 },
    });
    return admitted;
  }

  /**
   * A caller reads out the queue reference their waiting page shows (`000Z-Z`): where that place
   * stands, from the same service method the operator console uses. Every lookup is an audit entry
   * (refused ones too): the agent, the campaign, the canonical reference and the outcome. A reference
   * names a place in the queue, not a person; text that is not a reference is not recorded at all.
   */
  async function lookupReference(
    agent: string,
    campaignId: string,
    reference: string,
  ): Promise<Result<ReferenceLookup, ReferenceRefusal>> {
    const found = d.room.lookupReference(campaignId, reference);
    await d.audit.record({
      actor: agentActor(agent),
      action: 'agent-reference-lookup',
      campaignId,
      target: found.ok ? `queue-ref:${found.value.reference}` : null,
      detail: found.ok ? { outcome: found.value.state, partition: found.value.partition } : { outcome: found.reason },
    });
    return found;
  }

  /**
   * The booking service decides again under its own transaction; this only keeps a caller who
   * cannot book now (not in the cohort, not their day, already booked) from spending a lane
   * admission. A retry of a booking that committed (same idempotency key) is answered with it.
   */
  async function readyToBook(
    caller: Session,
    input: { campaignId: string; idempotencyKey: string },
  ): Promise<Result<BookingView | null, AgentBookingFailure>> {
    const decision = await d.availability.eligibilityOf(caller.personId, input.campaignId);
    if (!decision.ok) return decision.reason === 'unauthenticated' ? err('caller-unverified') : err(decision.reason);
    const status = decision.value.status;
    if (status === 'eligible') return ok(null);
    if (status === 'already-booked') {
      const retried = await d.booking.retriedBooking({ requesterId: caller.personId, ...input });
      if (retried) return ok(retried);
    }
    return err(status, { message: decision.value.message });
  }

  async function placeBooking(
    agent: string,
    token: string | undefined,
    input: {
      campaignId: string;
      slotId?: number | undefined;
      earliestAt?: { facilityId: number; fromDate: string } | undefined;
      idempotencyKey: string;
    },
  ): Promise<Result<BookingView, AgentBookingFailure>> {
    const caller = await callerOf(token);
    if (!caller.ok) return caller;
    const ready = await readyToBook(caller.value, input);
    if (!ready.ok || ready.value) return ready.ok ? ok(ready.value!) : ready;
    const admission = await laneAdmission(agent, caller.value, input.campaignId);
    if (!admission.ok) return admission;
    const seat = input.earliestAt ? { earliestAt: input.earliestAt } : { slotId: input.slotId };
    const placed = await d.booking.placeBooking({
      requesterId: caller.value.personId,
      campaignId: input.campaignId,
      ...seat,
      idempotencyKey: input.idempotencyKey,
      admissionId: admission.value.admissionId,
    });
    if (placed.ok)
      await d.audit.record({
        actor: agentActor(agent),
        action: 'agent-booking',
        campaignId: input.campaignId,
        target: placed.value.bookingNumber,
        before: null,
        after: placed.value,
        detail: {
          lane: 'agent',
          admissionId: admission.value.admissionId,
          caller: caller.value.identityHash,
          verificationProvider: admission.value.verificationProvider,
          verifiedAtMs: admission.value.verifiedAtMs,
        },
      });
    return placed;
  }

  /** A change or cancel for the caller, audited with the booking before and after. */
  async function changeOrCancel(
    agent: string,
    token: string | undefined,
    bookingNumber: string,
    what: { action: 'agent-change'; slotId: number } | { action: 'agent-cancel' },
  ): Promise<Result<BookingView, BookingFailure | CallerFailure>> {
    const caller = await callerOf(token);
    if (!caller.ok) return caller;
    const requesterId = caller.value.personId;
    const before = await d.booking.getBooking(requesterId, bookingNumber);
    if (!before.ok) return before;
    const done =
      what.action === 'agent-change'
        ? await d.booking.changeBooking({ requesterId, bookingNumber, slotId: what.slotId })
        : await d.booking.cancelBooking({ requesterId, bookingNumber });
    if (done.ok)
      await d.audit.record({
        actor: agentActor(agent),
        action: what.action,
        campaignId: done.value.campaignId,
        target: bookingNumber,
        before: before.value,
        after: done.value,
        detail: { caller: caller.value.identityHash },
      });
    return done;
  }

  /**
   * Lane admissions reach the admission controller through here, from whichever process made them:
   * the admission leader reads the new rows about once a second and notes them to its room, so the
   * queue's allowance shrinks by what the lane took (admission-controller.ts). Rows are read with an
   * overlap (a row committed a little after its instant is still seen) and counted once by id. A
   * process that is not leading keeps nothing, and starts afresh when it becomes the leader.
   */
  const fed = new Map<string, number>();
  let fedUntilMs: number | null = null;
  async function feedLaneAdmissions(campaignIds: Iterable<string>, isLeading: boolean): Promise<number> {
    const nowMs = d.clock.nowMs();
    if (!isLeading || fedUntilMs === null) {
      fed.clear();
      fedUntilMs = isLeading ? nowMs : null;
      return 0;
    }
    let noted = 0;
    for (const campaignId of campaignIds) {
      const rows = await d.lane.admittedSince(campaignId, fedUntilMs - LANE_FEED_OVERLAP_MS);
      const fresh = rows.filter((r) => !fed.has(r.admissionId));
      for (const r of fresh) fed.set(r.admissionId, r.admittedAtMs);
      if (fresh.length > 0) d.room.noteLaneAdmissions(campaignId, fresh.length);
      noted += fresh.length;
    }
    fedUntilMs = nowMs;
    for (const [id, atMs] of fed) if (atMs <= nowMs - 2 * LANE_FEED_OVERLAP_MS) fed.delete(id);
    return noted;
  }

  async function withCaller<T, R extends string>(
    token: string | undefined,
    f: (caller: Session) => Promise<Result<T, R>>,
  ): Promise<Result<T, R | CallerFailure>> {
    const caller = await callerOf(token);
    return caller.ok ? f(caller.value) : caller;
  }

  return {
    feedLaneAdmissions,
    verifyCaller,
    lookupReference,
    laneStatus,
    setLaneQuota,
    placeBooking,
    changeBooking: (agent: string, token: string | undefined, bookingNumber: string, slotId: number) =>
      changeOrCancel(agent, token, bookingNumber, { action: 'agent-change', slotId }),
    cancelBooking: (agent: string, token: string | undefined, bookingNumber: string) =>
      changeOrCancel(agent, token, bookingNumber, { action: 'agent-cancel' }),
    callerBookings: (token: string | undefined) =>
      withCaller<{ bookings: BookingView[] }, never>(token, async (c) =>
        ok({ bookings: await d.booking.myBookings(c.personId) }),
      ),
    eligibility: (token: string | undefined, campaignId: string) =>
      withCaller(token, (c) => d.availability.eligibilityOf(c.personId, campaignId)),
    slots: (token: string | undefined, campaignId: string, f: SlotFilters) =>
      withCaller(token, (c) => d.availability.openSlotsFor(c.personId, campaignId, f)),
    changeOptions: (token: string | undefined, bookingNumber: string, f: SlotFilters) =>
      withCaller(token, (c) => d.availability.changeOptionsFor(c.personId, bookingNumber, f)),
  };
}

export type AgentService = ReturnType<typeof createAgentService>;
export type { LaneAllowance };
