/**
 * Where I stand, worked out in the browser from my signed ticket and the public queue snapshot —
 * the same arithmetic the server's status answer does (src/waiting-room/waiting-room.service.ts,
 * snapshot.ts), so the origin is asked only to claim a turn that has come (or to resolve a pre-room
 * place near the front) and on a slow heartbeat. test/web/queue-position.test.ts checks that both
 * give the same numbers for the same room.
 *
 * The ticket's payload is readable by its holder (base64url JSON before the MAC); the browser only
 * reads its partition, seq and pre-room score. It cannot change them: the origin verifies the MAC.
 */
import type { PartitionSnapshotView, QueueSnapshot } from '../../../src/waiting-room/snapshot.schemas.ts';

/** Pre-room scores are uniform integers in [0, 2^48). */
const PRE_SCORE_RANGE = 2 ** 48;

/** `preScore` null with `seq` null: a pre-room place whose score the server keeps hidden until the opening. */
export interface TicketPlace {
  campaignId: string;
  identityHash: string;
  partition: number;
  seq: number | null;
  preScore: number | null;
  /** The partition's cursor when the place was taken (0 for a pre-room place), or null in older tickets. */
  startCursor: number | null;
}

/** Seconds; `highSeconds` null when the band has no upper end (the slow end of the rate is zero). */
export interface LocalEta {
  seconds: number;
  lowSeconds: number;
  highSeconds: number | null;
  /** true while the estimate rests mostly on the operator's planned rate, not yet on a measured one. */
  isFromPlan: boolean;
}

export type LocalStatus =
  | { kind: 'pre-opening'; opensAtMs: number; preRoomSize: number; nextPollMs: number }
  | {
      kind: 'waiting';
      position: number;
      ahead: number;
      behind: number;
      isEstimate: boolean;
      eta: LocalEta | null;
      nextPollMs: number;
      progress: number | null;
      reference: string | null;
    }
  /** The cursor has reached (or may be about to reach) this place: ask the origin (GET …/queue/status). */
  | { kind: 'ask-origin' };

function fromBase64Url(s: string): string {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The place a ticket names, or null if it cannot be read (then the origin decides). */
export function readTicket(ticket: string): TicketPlace | null {
  try {
    const o = JSON.parse(fromBase64Url(ticket.split('.')[0] ?? '')) as Record<string, unknown>;
    const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
    if (o.v !== 1 || typeof o.c !== 'string' || typeof o.i !== 'string' || !isInt(o.p)) return null;
    const seq = isInt(o.s) ? o.s : null;
    const preScore = isInt(o.r) ? o.r : null;
    if (seq === null && preScore === null && o.h !== 1) return null;
    const startCursor = isInt(o.k) && o.k >= 0 ? o.k : seq === null || preScore !== null ? 0 : null;
    return { campaignId: o.c, identityHash: o.i, partition: o.p, seq, preScore, startCursor };
  } catch {
    return null;
  }
}

/** FNV-1a over the characters, as the server spreads pre-opening polls (src/waiting-room/pre-room-scores.ts spreadOf). */
function spreadOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** As the server's secondsAtShapedRate (src/waiting-room/snapshot.ts): `rate` × shape[k] in minute k from now. */
function steadySeconds(places: number, rate: number, shape: readonly number[] | null): number {
  if (places <= 0) return 0;
  if (!shape || shape.length === 0) return places / rate;
  let left = places;
  for (let k = 0; ; k += 1) {
    const perSec = rate * Math.max(0.01, shape[Math.min(k, shape.length - 1)]!);
    if (k >= shape.length - 1 || left <= perSec * 60) return k * 60 + left / perSec;
    left -= perSec * 60;
  }
}

/**
 * As the server's etaBand (src/waiting-room/snapshot.ts): admitted once the cursor has moved
 * ahead + 1 places and seen at the next look near the front (poll.minMs), so the time to pass them
 * plus minMs / 2 (at least minMs), band at the fast end … slow end plus minMs. Passing k places:
 * max(k / headroom rate, steady(k − headroom places)) while the session cap has room, else
 * steady(k): at the steady rate, shaped minute by minute by the snapshot's rateShape if any.
 */
/** As the server's headroomSeconds (src/waiting-room/snapshot.ts): the controller's hold at the slow end. */
function headroomSeconds(
  places: number,
  rate: number,
  headroom: number,
  hold: { seconds: number; perSec: number } | undefined,
): number {
  const total = headroom / rate;
  const during = hold ? hold.perSec * hold.seconds : 0;
  if (!hold || hold.perSec <= 0 || places >= headroom || total <= hold.seconds || during >= headroom)
    return places / rate;
  if (places <= during) return places / hold.perSec;
  return hold.seconds + ((places - during) * (total - hold.seconds)) / (headroom - during);
}

function etaOf(
  ahead: number,
  rate: PartitionSnapshotView['rate'],
  pollMs: number,
  shape: readonly number[] | null,
): { eta: LocalEta; lowMs: number } | null {
  if (!rate || rate.meanPerSec <= 0) return null;
  const fast = Math.max(rate.p90PerSec, rate.meanPerSec);
  const slow = Math.min(rate.p10PerSec, rate.meanPerSec);
  const h = rate.headroom;
  const places = ahead + 1;
  const toPass = (steady: number, headroomRate: number, isSlowEnd = false) =>
    !h || h.places <= 0 || headroomRate <= 0
      ? steadySeconds(places, steady, shape)
      : Math.max(
          headroomSeconds(places, headroomRate, h.places, isSlowEnd ? h.hold : undefined),
          steadySeconds(places - h.places, steady, shape),
        );
  const hFast = h ? Math.max(h.p90PerSec, h.meanPerSec) : 0;
  const hSlow = h ? Math.min(h.p10PerSec, h.meanPerSec) : 0;
  const expectedMs = Math.round(Math.max(pollMs, toPass(rate.meanPerSec, h?.meanPerSec ?? 0) * 1000 + pollMs / 2));
  const lowMs = Math.round(toPass(fast, hFast) * 1000);
  const highMs = slow > 0 ? Math.round(toPass(slow, hSlow, true) * 1000 + pollMs) : null;
  const isHeadroomBound =
    !!h && h.places > 0 && places / h.meanPerSec >= steadySeconds(places - h.places, rate.meanPerSec, shape);
  const measuredShare = isHeadroomBound ? (h.measuredShare ?? 1) : (rate.measuredShare ?? 1);
  return {
    lowMs,
    eta: {
      seconds: Math.round(expectedMs / 1000),
      lowSeconds: Math.round(lowMs / 1000),
      highSeconds: highMs === null ? null : Math.round(highMs / 1000),
      isFromPlan: measuredShare < 0.5,
    },
  };
}

/** As the server's progressOf (src/waiting-room/snapshot.ts). */
function progressOf(seq: number, start: number | null, cursor: number): number | null {
  if (start === null) return null;
  const span = seq - 1 - start;
  if (span <= 0) return cursor >= seq - 1 ? 1 : null;
  return Math.min(1, Math.max(0, (cursor - start) / span));
}

const SYMBOLS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CHECK = `${SYMBOLS}*~$=U`;

/** As the server's referenceOf (src/waiting-room/queue-reference.ts): Crockford base32 and a check symbol. */
export function referenceOf(partition: number, seq: number, partitions: number): string {
  let n = (seq - 1) * partitions + partition;
  const check = CHECK[n % 37]!;
  let body = '';
  do {
    body = SYMBOLS[n % 32]! + body;
    n = Math.floor(n / 32);
  } while (n > 0);
  return `${body.padStart(4, '0')}-${check}`;
}

/**
 * Every seat left before this place (`ahead` over the whole room) is held by someone already let in:
 * it is let in only if sessions end without booking, which no rate says when. A seat may go to every
 * other busy partition's next place first (snapshot.ts, isSeatBound).
 */
export function isSeatBound(ahead: number, snap: Pick<QueueSnapshot, 'seatsOpen' | 'partitions'>): boolean {
  const busy = snap.partitions.reduce((n, p) => n + (p.waiting > 0 ? 1 : 0), 0);
  return snap.seatsOpen !== null && ahead + Math.max(1, busy) > snap.seatsOpen;
}

/** A partition's count scaled to the whole queue (partitions drain in proportion to what they hold). */
function scaled(local: number, snap: QueueSnapshot, own: PartitionSnapshotView): number {
  if (snap.partitions.length === 1) return local;
  return own.waiting > 0 ? Math.round((local * snap.waiting) / own.waiting) : local * snap.partitions.length;
}

function waiting(
  snap: QueueSnapshot,
  part: PartitionSnapshotView,
  place: TicketPlace,
  seq: number,
  isEstimate: boolean,
): LocalStatus {
  const aheadHere = Math.max(0, seq - part.cursor - 1);
  const ahead = scaled(aheadHere, snap, part);
  // Paused, no seats left, or every seat before this place held by a session: no honest estimate.
  const isStopped = snap.isPaused || snap.seatsLeft === 0 || isSeatBound(ahead, snap);
  const e = isStopped ? null : etaOf(aheadHere, part.rate, snap.poll.minMs, snap.rateShape ?? null);
  const behind = scaled(Math.max(0, Math.max(part.tail, seq) - seq), snap, part);
  const nextPollMs = e
    ? Math.round(Math.min(snap.poll.maxMs, Math.max(snap.poll.minMs, e.lowMs * snap.poll.fraction)))
    : snap.poll.maxMs;
  return {
    kind: 'waiting',
    position: ahead + 1,
    ahead,
    behind,
    isEstimate,
    eta: e?.eta ?? null,
    nextPollMs,
    progress: progressOf(seq, place.startCursor, part.cursor),
    reference: isEstimate ? null : referenceOf(place.partition, seq, snap.partitions.length),
  };
}

/** My status from the ticket and the snapshot, or 'ask-origin' when only the origin can answer. */
export function localStatus(place: TicketPlace, snap: QueueSnapshot): LocalStatus {
  const part = snap.partitions[place.partition];
  if (place.campaignId !== snap.campaignId || !part) return { kind: 'ask-origin' };
  if (!snap.isOpen) {
    const spread = spreadOf(place.identityHash) % snap.poll.maxMs;
    const wait = Math.min(snap.poll.maxMs, Math.max(snap.poll.minMs, snap.opensAtMs - snap.serverTimeMs + spread));
    return { kind: 'pre-opening', opensAtMs: snap.opensAtMs, preRoomSize: snap.preRoomSize, nextPollMs: wait };
  }
  if (place.seq !== null)
    return place.seq <= part.cursor ? { kind: 'ask-origin' } : waiting(snap, part, place, place.seq, false);
  // A pre-room place not yet resolved: estimated from the score's quantile until it may be near the front.
  // The score is hidden until the opening; the origin puts it back into a reissued ticket.
  if (part.frozen === null || place.preScore === null) return { kind: 'ask-origin' };
  const frozen = part.frozen;
  const u = (place.preScore ?? 0) / PRE_SCORE_RANGE;
  const seq = Math.max(1, Math.ceil(u * frozen));
  const spread = Math.sqrt(frozen * u * (1 - u));
  const frontWindow = Math.max(100, 3 * (part.rate?.p90PerSec ?? 0) * (snap.poll.maxMs / 1000));
  if (seq - 4 * spread - part.cursor <= frontWindow) return { kind: 'ask-origin' };
  return waiting(snap, part, place, seq, true);
}
