/**
 * The waiting room as routes see it: one function per endpoint, typed results, no HTTP, no Redis.
 *
 *   POST /queue/:campaign/join    → joinQueue     (identity verified by the route's session check)
 *   GET  /queue/:campaign/status  → pollStatus    (ticket + device cookie; usually no Redis at all)
 *   POST /queue/:campaign/leave   → leaveQueue
 *   every eligibility / facility / booking route → verifyAdmission (the "no back door" guard)
 *   booking service after commit  → bookingPlaced (completeAdmission, or for a proxy booking the release of this admission)
 *   own booking cancelled         → bookingCancelled (the identity may queue again, at the back)
 *
 * Polls are answered from the room's in-memory snapshot (admission-loop.ts refreshes it about once
 * a second); the store is touched only when the person's turn has come (claim), when a pre-room
 * ticket nears the front (exact rank), or after a Redis loss (reinsert from the ticket).
 */
import type { TurnNoticeStore } from './turn-notice.store.ts';
import type { Clock } from '../platform/clock.ts';
import { err, ok, type Result } from '../platform/result.ts';
import {
  admissionIdFor,
  signAdmissionToken,
  verifyAdmissionToken,
  type Admission,
  type AdmissionRefusal,
} from './admission-token.ts';
import { createAdmissionController, type AdmissionControllerSettings } from './admission-controller.ts';
import type { WaitingRoomCheckpoint } from './checkpoint.ts';
import { partitionOf } from './partition.ts';
import {
  defaultWaitingRoomSettings,
  instant,
  newRoom,
  refOf,
  refreshRoom,
  withRecovery,
  type CampaignQueue,
  type Room,
  type RoomContext,
  type WaitingRoomSettings,
} from './room.ts';
import {
  etaBand,
  estimatePreRoomSeq,
  isSeatBound,
  nextPollMs,
  progressOf,
  scaleToRoom,
  type EtaBand,
} from './snapshot.ts';
import { placeOfReference, referenceOf } from './queue-reference.ts';
import type { AdmissionSettings, LocalizedMessage, SeatSupply } from './admission-settings.ts';
import { isTurnoverCurve, MESSAGE_MAX_CHARS } from './admission-settings.ts';
import { signQueueTicket, verifyQueueTicket, type QueueTicket, type TicketRefusal } from './ticket.ts';
import type { Claim, Instant, JoinRequest, QueueRef, WaitingRoomStore } from './waiting-room.store.ts';
import { createJoinBatcher } from './join-batch.ts';
import { createAdmissionLoop, type AdmissionLoop } from './admission-loop.ts';
import { deviceTagOf, type AdmissionLedger, type Verification } from './admission-ledger.ts';
import type { DrawSeedStore } from './pre-room-draw.ts';
import { createPreRoomScores, spreadOf } from './pre-room-scores.ts';
import { createDrawPublication, type DrawPublication } from './draw-publication.ts';

export type QueueStatus =
  | { readonly kind: 'pre-room'; readonly opensAtMs: number; readonly preRoomSize: number; readonly nextPollMs: number }
  | {
      readonly kind: 'waiting';
      /** 1 = next to be admitted. */
      readonly position: number;
      readonly ahead: number;
      readonly behind: number;
      /** true while a pre-room place is placed by its score's quantile rather than its exact rank. */
      readonly isEstimate: boolean;
      /** null while admission is paused or out of seats (no honest estimate), or nothing measured or planned. */
      readonly eta: EtaBand | null;
      readonly nextPollMs: number;
      /** 0..1, the share of the places ahead at the first look that have been passed; null if unknown. */
      readonly progress: number | null;
      /** The short reference of this place (queue-reference.ts); null while a pre-room place is unresolved. */
      readonly reference: string | null;
    }
  | {
      readonly kind: 'admitted';
      readonly admissionToken: string;
      readonly admissionId: string;
      readonly expiresAtMs: number;
    };

/** A status, and a fresh ticket whenever the place became more exact (give it to the client). */
export interface StatusReply {
  readonly status: QueueStatus;
  readonly ticket?: string;
}

/** 'too-many-joins': over settings.joinLimit (detail: retryAfterMs); the place, if any, is kept. */
export type JoinRefusal = 'unknown-campaign' | 'other-device' | 'already-completed' | 'too-many-joins';
export type PollRefusal =
  TicketRefusal | 'unknown-campaign' | 'other-device' | 'other-identity' | 'place-expired' | 'already-completed';
export type LeaveRefusal = TicketRefusal | 'unknown-campaign' | 'other-device' | 'other-identity';

export interface WaitingRoomDeps {
  readonly clock: Clock;
  readonly store: WaitingRoomStore;
  readonly checkpoint: WaitingRoomCheckpoint;
  /** Keys from deriveKey(config.signingSecret, 'queue-ticket' | 'admission') (platform/signing.ts). */
  readonly keys: { readonly ticket: Uint8Array; readonly admission: Uint8Array };
  /** Where each campaign's draw seed is kept (Postgres in production); default: this process's memory. */
  readonly drawSeeds?: DrawSeedStore;
  /**
   * Tests only: a pre-room score source replacing the seeded draw. It must be a function of the
   * identity (the same identity, the same score), as the draw is. Default: pre-room-draw.ts.
   */
  readonly drawPreScore?: (identityHash: string) => number;
  readonly settings?: Partial<WaitingRoomSettings>;
  readonly controller?: Partial<AdmissionControllerSettings>;
  /**
   * Where each admission is recorded before its token is handed out (the trace of a booking, and
   * `npm run audit`). Production always wires one; tests of queue mechanics may leave it out.
   */
  readonly admissions?: AdmissionLedger;
  /** Seats left per campaign (the booking side, through a port); absent: admission is not limited by seats. */
  readonly seats?: SeatSupply;
  /**
   * "Text me when it is my turn" (turn-notice.service.ts): a claim by someone who was sent the
   * message counts the grace period from the message. Absent: no turn notices in this process.
   */
  readonly turnNotices?: Pick<TurnNoticeStore, 'noticeOf'>;
  /**
   * Joins arriving in one event-loop turn are sent to the store as one `joinMany` per partition
   * (join-batch.ts); `defer` replaces setImmediate (tests). false: one `join` per request.
   */
  readonly joinBatching?: false | { readonly defer?: (send: () => void) => void; readonly maxPerCall?: number };
}

/** What an operator (and, later, a call-centre agent) sees of a place named by its reference: no identity. */
export type ReferenceLookup =
  | {
      readonly state: 'waiting';
      readonly reference: string;
      readonly partition: number;
      readonly position: number;
      readonly ahead: number;
      readonly eta: EtaBand | null;
      readonly isPaused: boolean;
    }
  /** The cursor has passed the place: its holder was admitted, is booking, or was passed over. */
  | { readonly state: 'reached'; readonly reference: string; readonly partition: number; readonly isPaused: boolean };

export type ReferenceRefusal = 'unknown-campaign' | 'bad-reference' | 'not-issued';

export interface WaitingRoomService extends AdmissionLoop, DrawPublication {
  /**
   * Where the place a queue reference names stands, from the room's snapshot (no store call): for
   * the operator console now, for call-centre agents later. 'not-issued': no such place yet.
   */
  lookupReference(campaignId: string, reference: string): Result<ReferenceLookup, ReferenceRefusal>;
  /** The operator's admission settings (planned rate and turnover, message to everyone waiting) as this process last read them. */
  admissionSettings(campaignId: string): Result<AdmissionSettings | null, 'unknown-campaign'>;
  /**
   * Replace them for every process (through the store; each process reads them within a second). A
   * turnover curve left out stays as it was (a message changed during the night keeps the plan); null clears it.
   */
  setAdmissionSettings(
    campaignId: string,
    change: {
      plannedRatePerSec: number | null;
      plannedTurnoverPerSec?: readonly number[] | null;
      message: LocalizedMessage | null;
    },
  ): Promise<Result<AdmissionSettings, 'unknown-campaign' | 'bad-settings'>>;
  /** Register a campaign's queue and make sure its store state exists (restoring it if lost). Idempotent. */
  openCampaign(cfg: CampaignQueue): Promise<void>;
  /** `verification` (from the identity session) is recorded with an admission issued by this call. */
  joinQueue(req: {
    campaignId: string;
    identityHash: string;
    deviceId: string;
    verification?: Verification;
  }): Promise<Result<StatusReply & { ticket: string }, JoinRefusal>>;
  /** `identityHash`, when the route has a verified session, must match the ticket's. */
  pollStatus(req: {
    campaignId: string;
    ticket: string;
    deviceId: string;
    identityHash?: string;
    verification?: Verification;
  }): Promise<Result<StatusReply, PollRefusal>>;
  /** Only the identity the ticket carries (the route's verified session) may give up its place. */
  leaveQueue(req: {
    campaignId: string;
    ticket: string;
    deviceId: string;
    identityHash: string;
  }): Promise<Result<void, LeaveRefusal>>;
  /** The guard for every eligibility, facility-search and booking request (one store read). */
  verifyAdmission(req: {
    campaignId: string;
    token: string;
    identityHash: string;
    deviceId: string;
  }): Promise<Result<Admission, AdmissionRefusal | 'unknown-campaign' | 'not-open' | 'admission-ended'>>;
  completeAdmission(req: {
    campaignId: string;
    identityHash: string;
  }): Promise<Result<void, 'unknown-campaign' | 'not-admitted' | 'unknown-place'>>;
  /**
   * A booking committed under this admission. Booking for oneself ends the campaign for this
   * identity (completeAdmission); booking for someone else (proxy) only ends this admission, so the
   * requester can queue again for their own booking or another relative's.
   */
  bookingPlaced(req: {
    campaignId: string;
    identityHash: string;
    deviceId: string;
    isProxy: boolean;
  }): Promise<Result<void, 'unknown-campaign' | 'not-admitted' | 'unknown-place' | 'other-device'>>;
  /**
   * The identity's own booking in this campaign was cancelled: while the campaign's queue is open
   * they may join again, as a new arrival at the back (2021: cancel and book again while the round
   * was open). Nothing else changes: the same device rule applies, and the booking store still
   * allows one active booking per person. 'unknown-place' when the store holds no record (a join
   * then places them anyway); 'not-completed' when the identity was not marked completed.
   */
  bookingCancelled(req: {
    campaignId: string;
    identityHash: string;
  }): Promise<Result<void, 'unknown-campaign' | 'unknown-place' | 'not-completed'>>;
}

export function createWaitingRoomService(deps: WaitingRoomDeps): WaitingRoomService {
  const settings = { ...defaultWaitingRoomSettings, ...deps.settings };
  const ctx: RoomContext = {
    clock: deps.clock,
    store: deps.store,
    checkpoint: deps.checkpoint,
    settings,
    ...(deps.seats ? { seats: deps.seats } : {}),
  };
  const rooms = new Map<string, Room>();
  const loop = createAdmissionLoop(ctx, rooms);
  // A ticket never shows a pre-room score before the opening (the seed's reveal): see pre-room-scores.ts.
  const scores = createPreRoomScores({ clock: deps.clock, drawSeeds: deps.drawSeeds, drawPreScore: deps.drawPreScore });
  const publication = createDrawPublication(ctx, rooms, scores.seeds);

  const sign = (t: QueueTicket) => signQueueTicket(t, deps.keys.ticket);
  // Joins of one event-loop turn go to the store together, one call per partition (join-batch.ts).
  const joins =
    deps.joinBatching === false ? null : createJoinBatcher({ store: ctx.store, ...(deps.joinBatching ?? {}) });

  async function admitted(
    room: Room,
    t: QueueTicket,
    claim: Pick<Claim, 'seq' | 'preScore' | 'admissionExpiresAtMs'>,
    v?: Verification,
  ): Promise<QueueStatus> {
    const admission: Admission = {
      admissionId: admissionIdFor(deps.keys.admission, room.cfg.campaignId, t.identityHash, claim),
      campaignId: room.cfg.campaignId,
      identityHash: t.identityHash,
      deviceId: t.deviceId,
      expiresAtMs: claim.admissionExpiresAtMs,
    };
    const nowMs = ctx.clock.nowMs();
    // Recorded before the token exists: a booking can name only an admission the ledger holds.
    await deps.admissions?.recordAdmission({
      admissionId: admission.admissionId,
      campaignId: admission.campaignId,
      identityHash: t.identityHash,
      deviceTag: deviceTagOf(deps.keys.admission, t.deviceId),
      queueSeq: claim.seq,
      isPreRoom: claim.preScore !== null,
      ticketIssuedAtMs: t.issuedAtMs,
      admittedAtMs: nowMs,
      expiresAtMs: admission.expiresAtMs,
      verification: v ?? null,
    });
    const admissionToken = await signAdmissionToken(admission, deps.keys.admission, nowMs);
    return { kind: 'admitted', admissionToken, admissionId: admission.admissionId, expiresAtMs: admission.expiresAtMs };
  }

  function waiting(
    room: Room,
    t: QueueTicket,
    seq: number,
    cursor: number,
    tail: number,
    isEstimate: boolean,
  ): QueueStatus {
    const p = t.partition;
    const snap = room.snapshot;
    const aheadHere = Math.max(0, seq - cursor - 1);
    const ahead = snap ? scaleToRoom(aheadHere, snap, p) : aheadHere;
    // Paused, sold out, or every seat before this place held by a session: no rate says when.
    const isStopped = !!snap?.isPaused || room.seats?.seatsLeft === 0 || (!!snap && isSeatBound(ahead, snap));
    const eta = isStopped ? null : etaBand(aheadHere, snap?.partitions[p]?.rate ?? null, settings.minPollMs);
    const startCursor = t.startCursor ?? (t.seq === null || t.preScore !== null ? 0 : null);
    const behind = snap ? scaleToRoom(Math.max(0, tail - seq), snap, p) : Math.max(0, tail - seq);
    return {
      kind: 'waiting',
      position: ahead + 1,
      ahead,
      behind,
      isEstimate,
      eta,
      nextPollMs: nextPollMs(eta, settings),
      progress: progressOf(seq, startCursor, cursor),
      reference: isEstimate ? null : referenceOf({ partition: p, seq }, room.cfg.partitions),
    };
  }

  function preRoom(room: Room, t: QueueTicket, nowMs: number): QueueStatus {
    const size = room.snapshot?.partitions.reduce((n, p) => n + p.stats.preRoom, 0) ?? 0;
    // Spread the first polls after opening over maxPollMs by a cheap hash of the identity hash (a
    // keyed HMAC, so uniform): not by the score, which the client must not learn before the opening.
    const spread = spreadOf(t.identityHash) % settings.maxPollMs;
    const wait = Math.min(settings.maxPollMs, Math.max(settings.minPollMs, room.cfg.opensAtMs - nowMs + spread));
    return { kind: 'pre-room', opensAtMs: room.cfg.opensAtMs, preRoomSize: size, nextPollMs: wait };
  }

  /** Claim in the store; a person the store does not know (Redis lost them) is put back from the ticket first. */
  async function claim(room: Room, t: QueueTicket) {
    const ref = refOf(room, t.partition);
    const notice = await deps.turnNotices?.noticeOf(ref, t.identityHash);
    const req = {
      identityHash: t.identityHash,
      deviceId: t.deviceId,
      admissionTtlMs: settings.admissionTtlMs,
      graceMs: settings.graceMs,
      // The message counts for the place it was sent for, not for a later place of the same person.
      ...(notice?.state === 'sent' && (t.seq === null || t.seq === notice.seq) ? { graceFromMs: notice.sentAtMs } : {}),
    };
    const attempt = () => withRecovery(ctx, room, () => ctx.store.claimAdmission(ref, req, instant(ctx, room)));
    const first = await attempt();
    if (first.ok || first.reason !== 'unknown') return first;
    const back = await withRecovery(ctx, room, () => ctx.store.reinsert(ref, scores.withScore(t), instant(ctx, room)));
    if (!back.ok) throw new Error(`a verified ticket could not be reinserted: ${back.reason}`);
    return attempt();
  }

  async function claimStatus(room: Room, t: QueueTicket, v?: Verification): Promise<Result<StatusReply, PollRefusal>> {
    const r = await claim(room, t);
    const reissue = (seq: number) =>
      seq === t.seq ? {} : { ticket: sign({ ...t, seq, issuedAtMs: ctx.clock.nowMs() }) };
    if (r.ok) return ok({ status: await admitted(room, t, r.value, v), ...reissue(r.value.seq) });
    switch (r.reason) {
      case 'not-reached': {
        const seq = Number(r.detail?.seq),
          cursor = Number(r.detail?.cursor);
        const tail = Math.max(seq, room.snapshot?.partitions[t.partition]?.stats.tail ?? seq);
        return ok({ status: waiting(room, t, seq, cursor, tail, false), ...reissue(seq) });
      }
      case 'not-open':
        return ok({ status: preRoom(room, t, ctx.clock.nowMs()) });
      case 'expired':
        return err('place-expired');
      case 'completed':
        return err('already-completed');
      case 'other-device':
        return err('other-device');
      case 'unknown':
        throw new Error('a reinserted person is unknown to the store');
    }
  }

  /** The status for a verified ticket: from the snapshot while the turn has not come, else a claim. */
  async function statusOf(
    room: Room,
    given: QueueTicket,
    isJustJoined = false,
    v?: Verification,
  ): Promise<Result<StatusReply, PollRefusal>> {
    const nowMs = ctx.clock.nowMs();
    if (nowMs < room.cfg.opensAtMs) return ok({ status: preRoom(room, given, nowMs) });
    const t = scores.withScore(given);
    const scored = t === given ? {} : { ticket: sign(t) };
    const part = room.snapshot?.partitions[t.partition];
    if (!part) return withTicket(await claimStatus(room, t, v), scored);
    const { cursor, tail, frozen, preRoom: preSize } = part.stats;
    if (t.seq !== null) {
      if (t.seq <= cursor) return withTicket(await claimStatus(room, t, v), scored);
      // A seq beyond the tail exists only in a ticket issued within the last second, or one the
      // store lost (issued after the last checkpoint): put it back so the tail, and the cursor
      // behind it, can reach it. Idempotent; costs one call per such ticket.
      if (t.seq > tail && !isJustJoined)
        await withRecovery(ctx, room, () => ctx.store.reinsert(refOf(room, t.partition), t, instant(ctx, room)));
      return ok({ status: waiting(room, t, t.seq, cursor, Math.max(tail, t.seq), false) });
    }
    // Unresolved pre-room ticket: estimate from the score until it may be near the front.
    const est = estimatePreRoomSeq(t.preScore ?? 0, frozen ?? preSize);
    const frontWindow = Math.max(100, 3 * (part.rate?.p90PerSec ?? 0) * (settings.maxPollMs / 1000));
    if (est.seq - 4 * est.spread - cursor <= frontWindow) return withTicket(await claimStatus(room, t, v), scored);
    return ok({ status: waiting(room, t, est.seq, cursor, Math.max(tail, est.seq), true), ...scored });
  }

  /** A reply keeps the ticket claimStatus reissued; otherwise the one with the score put back, if any. */
  const withTicket = (
    r: Result<StatusReply, PollRefusal>,
    scored: { ticket?: string },
  ): Result<StatusReply, PollRefusal> =>
    r.ok && r.value.ticket === undefined && scored.ticket ? ok({ ...r.value, ticket: scored.ticket }) : r;

  /**
   * One join through this turn's batch of its partition, or alone when batching is off. (The
   * callbacks are written inline: a named closure made per join costs a `__name` call under tsx.)
   */
  function joinInStore(room: Room, ref: QueueRef, who: { identityHash: string; deviceId: string; isCounted: boolean }) {
    if (joins)
      return joins.join(
        ref,
        () => instant(ctx, room),
        (at) => joinRequest(room, who, at),
      );
    const at = instant(ctx, room);
    return ctx.store.join(ref, joinRequest(room, who, at), at);
  }

  function joinRequest(
    room: Room,
    who: { identityHash: string; deviceId: string; isCounted: boolean },
    at: Instant,
  ): JoinRequest {
    return {
      identityHash: who.identityHash,
      deviceId: who.deviceId,
      // Read by the store only before the opening (a pre-room place): after it, the draw's three
      // hashes would be spent on a number nobody reads.
      preScore: at.nowMs < at.opensAtMs ? scores.scoreOf(room.cfg.campaignId, who.identityHash) : 0,
      lockoutMs: settings.lockoutMs,
      ...(who.isCounted ? { joinLimit: settings.joinLimit } : {}),
    };
  }

  /** `isCounted`: this join counts against the identity's join limit (the second pass of one request does not). */
  async function joinOnce(
    room: Room,
    identityHash: string,
    deviceId: string,
    isCounted: boolean,
    v?: Verification,
  ): Promise<Result<StatusReply & { ticket: string }, JoinRefusal | 'place-expired'>> {
    const partition = partitionOf(identityHash, room.cfg.partitions);
    const ref = refOf(room, partition);
    const r = await withRecovery(ctx, room, () => joinInStore(room, ref, { identityHash, deviceId, isCounted }));
    if (!r.ok) {
      if (r.reason === 'too-many-joins')
        return err('too-many-joins', { retryAfterMs: Number(r.detail?.windowEndsMs) - ctx.clock.nowMs() });
      return r.reason === 'completed' ? err('already-completed') : err('other-device', r.detail);
    }
    const { seq, preScore } = r.value;
    const ticket = scores.hideBeforeOpening(
      {
        campaignId: room.cfg.campaignId,
        identityHash,
        deviceId,
        partition,
        seq,
        preScore,
        issuedAtMs: ctx.clock.nowMs(),
        // A place taken after the opening starts where the cursor stood; a pre-room place at 0.
        startCursor: seq !== null && preScore === null ? (room.snapshot?.partitions[partition]?.stats.cursor ?? 0) : 0,
      },
      room.cfg.opensAtMs,
    );
    if (r.value.kind === 'admitted')
      return ok({ ticket: sign(ticket), status: await admitted(room, ticket, r.value, v) });
    const s = await statusOf(room, ticket, true, v);
    if (!s.ok)
      return s.reason === 'already-completed' || s.reason === 'place-expired' ? err(s.reason) : err('other-device');
    return ok({ status: s.value.status, ticket: s.value.ticket ?? sign(ticket) });
  }

  async function completeAdmission({
    campaignId,
    identityHash,
  }: {
    campaignId: string;
    identityHash: string;
  }): Promise<Result<void, 'unknown-campaign' | 'not-admitted' | 'unknown-place'>> {
    const room = rooms.get(campaignId);
    if (!room) return err('unknown-campaign');
    const ref = refOf(room, partitionOf(identityHash, room.cfg.partitions));
    const r = await withRecovery(ctx, room, () => ctx.store.completeAdmission(ref, identityHash, instant(ctx, room)));
    if (r.ok) return r;
    return r.reason === 'unknown' ? err('unknown-place') : err('not-admitted');
  }

  async function verified(campaignId: string, token: string, deviceId: string) {
    const room = rooms.get(campaignId);
    if (!room) return err('unknown-campaign');
    const v = verifyQueueTicket(token, deps.keys.ticket, {
      campaignId,
      nowMs: ctx.clock.nowMs(),
      maxAgeMs: settings.ticketMaxAgeMs,
    });
    if (!v.ok) return v;
    if (v.value.deviceId !== deviceId) return err('other-device');
    if (v.value.partition >= room.cfg.partitions) return err('malformed');
    return ok({ room, ticket: v.value });
  }

  function lookupReference(campaignId: string, reference: string): Result<ReferenceLookup, ReferenceRefusal> {
    const room = rooms.get(campaignId);
    if (!room) return err('unknown-campaign');
    const place = placeOfReference(reference, room.cfg.partitions);
    if (!place) return err('bad-reference');
    const part = room.snapshot?.partitions[place.partition];
    if (!part || place.seq > part.stats.tail) return err('not-issued');
    const canonical = referenceOf(place, room.cfg.partitions);
    const isPaused = !!room.snapshot?.isPaused;
    if (place.seq <= part.stats.cursor)
      return ok({ state: 'reached', reference: canonical, partition: place.partition, isPaused });
    const t = { partition: place.partition, seq: place.seq, preScore: null } as QueueTicket;
    const s = waiting(room, t, place.seq, part.stats.cursor, part.stats.tail, false);
    if (s.kind !== 'waiting') throw new Error('unreachable');
    return ok({
      state: 'waiting',
      reference: canonical,
      partition: place.partition,
      position: s.position,
      ahead: s.ahead,
      eta: s.eta,
      isPaused,
    });
  }

  return {
    ...loop,
    ...publication,

    lookupReference,

    admissionSettings(campaignId) {
      const room = rooms.get(campaignId);
      return room ? ok(room.admission) : err('unknown-campaign');
    },

    async setAdmissionSettings(campaignId, change) {
      const room = rooms.get(campaignId);
      if (!room) return err('unknown-campaign');
      const rate = change.plannedRatePerSec;
      const m = change.message;
      const isRateOk = rate === null || (Number.isFinite(rate) && rate > 0 && rate <= 1_000_000);
      const trimmed = m && { ko: m.ko.trim(), en: m.en.trim() };
      const isMessageOk =
        trimmed === null ||
        (trimmed.ko.length > 0 &&
          trimmed.en.length > 0 &&
          trimmed.ko.length <= MESSAGE_MAX_CHARS &&
          trimmed.en.length <= MESSAGE_MAX_CHARS);
      const curve =
        change.plannedTurnoverPerSec === undefined
          ? (room.admission?.plannedTurnoverPerSec ?? null)
          : change.plannedTurnoverPerSec;
      if (!isRateOk || !isMessageOk || (curve !== null && !isTurnoverCurve(curve))) return err('bad-settings');
      const next: AdmissionSettings = {
        plannedRatePerSec: rate,
        plannedTurnoverPerSec: curve === null ? null : [...curve],
        message: trimmed,
        updatedAtMs: ctx.clock.nowMs(),
      };
      await ctx.store.writeAdmissionSettings(campaignId, next);
      room.admission = next;
      return ok(next);
    },

    async openCampaign(cfg) {
      const existing = rooms.get(cfg.campaignId);
      if (existing && existing.cfg.partitions !== cfg.partitions)
        throw new Error(`campaign ${cfg.campaignId}: partition count is fixed`);
      const room =
        existing ?? newRoom(cfg, createAdmissionController({ clock: ctx.clock, settings: deps.controller }), settings);
      room.cfg = cfg;
      await scores.load(cfg.campaignId);
      rooms.set(cfg.campaignId, room);
      await refreshRoom(ctx, room);
    },

    async joinQueue({ campaignId, identityHash, deviceId, verification }) {
      const room = rooms.get(campaignId);
      if (!room) return err('unknown-campaign');
      // A place found expired on the way (reached, grace over) is gone: the second pass joins at the back.
      for (let pass = 0; pass < 2; pass += 1) {
        const r = await joinOnce(room, identityHash, deviceId, pass === 0, verification);
        if (r.ok || r.reason !== 'place-expired') return r as Result<StatusReply & { ticket: string }, JoinRefusal>;
      }
      throw new Error('a fresh place expired at once');
    },

    async pollStatus({ campaignId, ticket, deviceId, identityHash, verification }) {
      const v = await verified(campaignId, ticket, deviceId);
      if (!v.ok) return v;
      if (identityHash !== undefined && identityHash !== v.value.ticket.identityHash) return err('other-identity');
      return statusOf(v.value.room, v.value.ticket, false, verification);
    },

    async leaveQueue({ campaignId, ticket, deviceId, identityHash }) {
      const v = await verified(campaignId, ticket, deviceId);
      if (!v.ok) return v;
      const { room, ticket: t } = v.value;
      if (t.identityHash !== identityHash) return err('other-identity');
      const r = await withRecovery(ctx, room, () =>
        ctx.store.releasePlace(refOf(room, t.partition), t, instant(ctx, room)),
      );
      return r.ok || r.reason === 'unknown' ? ok(undefined) : err('other-device');
    },

    async verifyAdmission({ campaignId, token, identityHash, deviceId }) {
      const room = rooms.get(campaignId);
      if (!room) return err('unknown-campaign');
      const nowMs = ctx.clock.nowMs();
      if (nowMs < room.cfg.opensAtMs) return err('not-open');
      const v = await verifyAdmissionToken(token, deps.keys.admission, { campaignId, identityHash, deviceId, nowMs });
      if (!v.ok) return v;
      // The token outlives nothing: once the booking completed, or the admission was released or
      // swept, it is refused. A missing record (Redis lost it) does not end a signed admission.
      const state = await ctx.store.personState(
        refOf(room, partitionOf(identityHash, room.cfg.partitions)),
        identityHash,
      );
      if (state && state !== 'admitted') return err('admission-ended', { state });
      return v;
    },

    completeAdmission,

    async bookingCancelled({ campaignId, identityHash }) {
      const room = rooms.get(campaignId);
      if (!room) return err('unknown-campaign');
      const ref = refOf(room, partitionOf(identityHash, room.cfg.partitions));
      const r = await withRecovery(ctx, room, () => ctx.store.reopenAfterCancel(ref, identityHash, instant(ctx, room)));
      if (r.ok) return r;
      return r.reason === 'unknown' ? err('unknown-place') : err('not-completed');
    },

    async bookingPlaced({ campaignId, identityHash, deviceId, isProxy }) {
      if (!isProxy) return completeAdmission({ campaignId, identityHash });
      const room = rooms.get(campaignId);
      if (!room) return err('unknown-campaign');
      const ref = refOf(room, partitionOf(identityHash, room.cfg.partitions));
      const r = await withRecovery(ctx, room, () =>
        ctx.store.releasePlace(ref, { identityHash, deviceId }, instant(ctx, room)),
      );
      if (r.ok) return r;
      return r.reason === 'unknown' ? err('unknown-place') : err('other-device');
    },
  };
}
