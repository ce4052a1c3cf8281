/**
 * The public queue snapshot built from what every server already holds: the room's in-memory
 * snapshot (refreshed about once a second by the admission loop) and its controller state. Nothing
 * here touches the store. The document is serialized and hashed once per refresh, not per request:
 * a request costs a map lookup and a comparison, and `If-None-Match` a string comparison.
 */
import { createHash } from 'node:crypto';
import type { RoomStatus } from './admission-loop.ts';
import type { Headroom, PollSettings } from './snapshot.ts';
import type { QueueSnapshot } from './snapshot.schemas.ts';

/** What a request needs: the bytes, their validator, and how long they are good for. */
export interface SnapshotReply {
  readonly body: Buffer;
  /** Weak: processes that read the same counters give the same tag (server time is left out of it). */
  readonly etag: string;
  readonly document: QueueSnapshot;
}

/** How soon a document may have changed: the next refresh, or the opening if it is nearer (ms). */
const REFRESH_MS = 1_000;

export function buildSnapshot(
  campaignId: string,
  room: RoomStatus,
  poll: PollSettings,
  admissionTtlMs: number,
): QueueSnapshot | null {
  const snap = room.snapshot;
  if (!snap) return null;
  const parts = snap.partitions;
  const isOpen = snap.atMs >= room.opensAtMs;
  const untilOpen = room.opensAtMs - snap.atMs;
  return {
    campaignId,
    serverTimeMs: snap.atMs,
    opensAtMs: room.opensAtMs,
    isOpen,
    isPaused: room.controller.isPaused,
    preRoomSize: parts.reduce((n, p) => n + (p.stats.frozen ?? p.stats.preRoom), 0),
    waiting: parts.reduce((n, p) => n + p.stats.waiting, 0),
    partitions: parts.map((p, partition) => ({
      partition,
      cursor: p.stats.cursor,
      tail: p.stats.tail,
      frozen: p.stats.frozen,
      waiting: p.stats.waiting,
      rate: p.rate && {
        meanPerSec: p.rate.meanPerSec,
        p10PerSec: p.rate.p10PerSec,
        p90PerSec: p.rate.p90PerSec,
        ...(p.rate.measuredShare !== undefined ? { measuredShare: share(p.rate.measuredShare) } : {}),
        ...(p.rate.headroom ? { headroom: headroomOf(p.rate.headroom) } : {}),
      },
    })),
    message: room.admission?.message ?? null,
    seatsLeft: room.seats?.seatsLeft ?? null,
    seatsOpen: snap.seatsOpen ?? null,
    nextSeatsAtMs: room.seats?.nextSeatsAtMs ?? null,
    rateShape: parts.find((p) => p.rate?.shape)?.rate?.shape?.slice() ?? null,
    admissionTtlMs,
    poll: { minMs: poll.minPollMs, maxMs: poll.maxPollMs, fraction: poll.pollFraction },
    nextLookMs: !isOpen && untilOpen > 0 && untilOpen < REFRESH_MS ? untilOpen : REFRESH_MS,
  };
}

/** A share to two decimals, as published. */
const share = (x: number) => Math.round(x * 100) / 100;

function headroomOf(h: Headroom) {
  const { measuredShare, ...rate } = h;
  return { ...rate, ...(measuredShare !== undefined ? { measuredShare: share(measuredShare) } : {}) };
}

function tagOf(doc: QueueSnapshot): string {
  const { serverTimeMs: _t, nextLookMs: _n, ...counters } = doc;
  return `W/"${createHash('sha1').update(JSON.stringify(counters)).digest('base64url').slice(0, 22)}"`;
}

/**
 * One reply per campaign, rebuilt only when the room's snapshot object, its paused flag or the
 * operator's settings changed
 * (the admission loop replaces the snapshot object on every refresh).
 */
export function createSnapshotCache(
  roomStatus: (campaignId: string) => { ok: true; value: RoomStatus } | { ok: false },
  poll: PollSettings,
  admissionTtlMs: number,
) {
  const cache = new Map<
    string,
    { source: RoomStatus['snapshot']; isPaused: boolean; admission: RoomStatus['admission']; reply: SnapshotReply }
  >();
  return {
    /** null: no open waiting room for this campaign (or not yet read once). */
    replyFor(campaignId: string): SnapshotReply | null {
      const status = roomStatus(campaignId);
      if (!status.ok || !status.value.snapshot) return null;
      const room = status.value;
      const hit = cache.get(campaignId);
      if (
        hit &&
        hit.source === room.snapshot &&
        hit.isPaused === room.controller.isPaused &&
        hit.admission === room.admission
      )
        return hit.reply;
      const document = buildSnapshot(campaignId, room, poll, admissionTtlMs)!;
      const reply = { document, body: Buffer.from(JSON.stringify(document)), etag: tagOf(document) };
      cache.set(campaignId, {
        source: room.snapshot,
        isPaused: room.controller.isPaused,
        admission: room.admission,
        reply,
      });
      return reply;
    },
  };
}
