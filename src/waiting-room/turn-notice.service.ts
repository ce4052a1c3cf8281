/**
 * "Text me when it is my turn" (issue 14, item 4). A person holding a place asks for a message and
 * may leave the page; the admission leader's background loop (`runOnce`, never a poll) finds the
 * opted-in places whose shown ETA is within the campaign's lead time (turn-notice.ts), writes one
 * outbox message per place (the outbox sender delivers it after commit, as it does confirmations)
 * and marks the notice sent; a claim then counts the grace period from that instant.
 *
 * Off unless the campaign's rules switch it on (`turnNotice.enabled`). Nothing personal is kept
 * here: the identity hash and the seq; the phone number is read from the registry by the outbox
 * adapter when it writes the message, and never logged.
 */
import type { Clock } from '../platform/clock.ts';
import { err, ok, type Result } from '../platform/result.ts';
import type { LocalizedText } from '../eligibility/rules.ts';
import type { RoomStatus } from './admission-loop.ts';
import type { QueueRef } from './keys.ts';
import { verifyQueueTicket, type TicketRefusal } from './ticket.ts';
import {
  isTurnNoticeOn,
  noticeKey,
  noticeThroughSeq,
  resumeLink,
  turnNoticeText,
  type TurnNoticeSetting,
} from './turn-notice.ts';
import type { PendingNotice, TurnNoticeStore } from './turn-notice.store.ts';
import type { PersonState } from './waiting-room.store.ts';

/** One message to write: the outbox adapter adds the recipient's phone from the registry. */
export interface TurnNoticeMessage {
  readonly key: string;
  readonly campaignId: string;
  readonly identityHash: string;
  readonly link: string;
  readonly text: LocalizedText;
}

/** Where the messages go: the transactional outbox (booking capability), written idempotently by key. */
export interface TurnNoticeOutbox {
  /** Writes the messages not written before (same key: no second row); returns how many were new. */
  writeTurnNotices(messages: readonly TurnNoticeMessage[], nowMs: number): Promise<number>;
  /** Messages written for a campaign: in the last minute, and in all. */
  turnNoticeCounts(campaignId: string, nowMs: number): Promise<{ lastMinute: number; total: number }>;
}

export interface TurnNoticeDeps {
  readonly clock: Clock;
  readonly notices: TurnNoticeStore;
  readonly ticketKey: Uint8Array;
  readonly ticketMaxAgeMs: number;
  /** The waiting room's grace period (ms); the message says how long the person has. */
  readonly graceMs: number;
  /** Where citizens open the site (the link in the message). */
  readonly publicBaseUrl: string;
  readonly rooms: { roomStatus(campaignId: string): Result<RoomStatus, 'unknown-campaign'> };
  /** The place's state and seq in the waiting room's store (one read; never on the poll path). */
  placeOf(
    ref: QueueRef,
    identityHash: string,
    opensAtMs: number,
  ): Promise<{ readonly state: PersonState; readonly seq: number | null } | null>;
  /** The live campaign's name and setting, or undefined for an unknown campaign. */
  campaign(campaignId: string): Promise<{ name: LocalizedText; setting: TurnNoticeSetting | undefined } | undefined>;
  readonly outbox: TurnNoticeOutbox;
  /** Called with the number of messages written in a round (the metric). */
  readonly onSent?: (campaignId: string, count: number) => void;
  /** Notices handled per partition per round. */
  readonly batchSize?: number;
}

export type NoticeView = { readonly isAvailable: boolean; readonly state: 'none' | 'pending' | 'sent' };
export type TurnNoticeRefusal =
  | TicketRefusal
  | 'unknown-campaign'
  | 'other-device'
  | 'other-identity'
  | 'turn-notice-off'
  | 'turn-notice-not-yet'
  | 'place-not-waiting';

interface PlaceRequest {
  readonly campaignId: string;
  readonly ticket: string;
  readonly deviceId: string;
  readonly identityHash: string;
}

/** Sent marks are kept this long (far beyond any grace period), then forgotten by the store. */
const KEEP_SENT_MS = 12 * 3_600_000;

export function createTurnNoticeService(deps: TurnNoticeDeps) {
  const batch = deps.batchSize ?? 200;

  async function placeRef(req: PlaceRequest): Promise<Result<{ ref: QueueRef; on: boolean }, TurnNoticeRefusal>> {
    const campaign = await deps.campaign(req.campaignId);
    const room = deps.rooms.roomStatus(req.campaignId);
    if (!campaign || !room.ok) return err('unknown-campaign');
    const v = verifyQueueTicket(req.ticket, deps.ticketKey, {
      campaignId: req.campaignId,
      nowMs: deps.clock.nowMs(),
      maxAgeMs: deps.ticketMaxAgeMs,
    });
    if (!v.ok) return v;
    if (v.value.deviceId !== req.deviceId) return err('other-device');
    if (v.value.identityHash !== req.identityHash) return err('other-identity');
    if (v.value.partition >= room.value.partitions) return err('malformed');
    const ref = { campaignId: req.campaignId, partition: v.value.partition };
    return ok({ ref, on: isTurnNoticeOn(campaign.setting) });
  }

  /** Whether the campaign offers the message, and this person's request. */
  async function noticeStatus(req: PlaceRequest): Promise<Result<NoticeView, TurnNoticeRefusal>> {
    const r = await placeRef(req);
    if (!r.ok) return r;
    const n = await deps.notices.noticeOf(r.value.ref, req.identityHash);
    return ok({ isAvailable: r.value.on, state: n?.state ?? 'none' });
  }

  /** Ask for the message. Needs the place's seq: before the opening a pre-room place has none yet. */
  async function optIn(req: PlaceRequest): Promise<Result<NoticeView, TurnNoticeRefusal>> {
    const r = await placeRef(req);
    if (!r.ok) return r;
    if (!r.value.on) return err('turn-notice-off');
    const room = deps.rooms.roomStatus(req.campaignId);
    if (!room.ok) return err('unknown-campaign');
    const place = await deps.placeOf(r.value.ref, req.identityHash, room.value.opensAtMs);
    if (!place || place.state !== 'waiting') return err('place-not-waiting');
    if (place.seq === null) return err('turn-notice-not-yet', { opensAtMs: room.value.opensAtMs });
    const added = await deps.notices.optIn(r.value.ref, { identityHash: req.identityHash, seq: place.seq });
    return ok({ isAvailable: true, state: added === 'already-sent' ? 'sent' : 'pending' });
  }

  async function optOut(req: PlaceRequest): Promise<Result<NoticeView, TurnNoticeRefusal>> {
    const r = await placeRef(req);
    if (!r.ok) return r;
    await deps.notices.optOut(r.value.ref, req.identityHash);
    const n = await deps.notices.noticeOf(r.value.ref, req.identityHash);
    return ok({ isAvailable: r.value.on, state: n?.state ?? 'none' });
  }

  /** One round for one campaign (the admission leader, every few seconds): returns messages written. */
  async function runOnce(campaignId: string): Promise<number> {
    const campaign = await deps.campaign(campaignId);
    const room = deps.rooms.roomStatus(campaignId);
    if (!campaign || !isTurnNoticeOn(campaign.setting) || !room.ok || !room.value.snapshot) return 0;
    // Paused or sold out, the page shows no ETA and the front does not move: nobody's turn is near.
    if (room.value.controller.isPaused || room.value.seats?.seatsLeft === 0) return 0;
    const leadMs = campaign.setting.leadMinutes * 60_000;
    let written = 0;
    for (const [partition, part] of room.value.snapshot.partitions.entries()) {
      if (part.stats.frozen === null) continue; // before the opening nobody is near the front
      const ref = { campaignId, partition };
      const throughSeq = noticeThroughSeq(part.stats.cursor, part.rate, leadMs);
      const due = await deps.notices.dueNotices(ref, { throughSeq, limit: batch });
      if (due.length === 0) continue;
      const messages: TurnNoticeMessage[] = [];
      const gone: string[] = [];
      for (const n of due) {
        // Someone who came back and was admitted, booked or gave up the place needs no message.
        const place = await deps.placeOf(ref, n.identityHash, room.value.opensAtMs);
        if (!place || place.state !== 'waiting') gone.push(n.identityHash);
        else messages.push(message(campaignId, partition, n, campaign));
      }
      for (const id of gone) await deps.notices.optOut(ref, id);
      if (messages.length === 0) continue;
      const nowMs = deps.clock.nowMs();
      // Written first, marked second: a crash between the two writes nothing twice (same key).
      await deps.outbox.writeTurnNotices(messages, nowMs);
      const marked = await deps.notices.markSent(ref, {
        identityHashes: messages.map((m) => m.identityHash),
        nowMs,
        keepMs: KEEP_SENT_MS,
      });
      written += marked;
    }
    if (written > 0) deps.onSent?.(campaignId, written);
    return written;
  }

  function message(
    campaignId: string,
    partition: number,
    n: PendingNotice,
    campaign: { name: LocalizedText; setting: TurnNoticeSetting | undefined },
  ): TurnNoticeMessage {
    const link = resumeLink(deps.publicBaseUrl, campaignId);
    return {
      key: noticeKey(campaignId, partition, n.identityHash, n.seq),
      campaignId,
      identityHash: n.identityHash,
      link,
      text: turnNoticeText({
        campaignName: campaign.name,
        leadMinutes: campaign.setting?.leadMinutes ?? 0,
        link,
        graceMinutes: Math.floor(deps.graceMs / 60_000),
      }),
    };
  }

  return {
    noticeStatus,
    optIn,
    optOut,
    runOnce,
    counts: (campaignId: string) => deps.outbox.turnNoticeCounts(campaignId, deps.clock.nowMs()),
  };
}

export type TurnNoticeService = ReturnType<typeof createTurnNoticeService>;
