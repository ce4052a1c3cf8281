/**
 * The service's side of the pre-room draw (pre-room-draw.ts): loads each campaign's seed once when
 * its room opens (so a join needs no I/O for it), computes an identity's score, and keeps the score
 * out of tickets issued before the opening. Polls compute nothing here except once per pre-room
 * person after the opening, when their hidden score is put back into a reissued ticket.
 */
import type { Clock } from '../platform/clock.ts';
import { createMemoryDrawSeeds, drawScore, newDrawSeed, ticketIdOf, type DrawSeedStore } from './pre-room-draw.ts';
import type { QueueTicket } from './ticket.ts';

export interface PreRoomScores {
  /** The campaign's seeds, by campaign id (read by the draw's publication). */
  readonly seeds: ReadonlyMap<string, Uint8Array>;
  /** Loads (or creates, first writer wins) the campaign's seed. Idempotent. */
  load(campaignId: string): Promise<void>;
  /** The identity's score: fixed per identity and campaign, whenever it is computed. */
  scoreOf(campaignId: string, identityHash: string): number;
  /** Before the opening an unresolved pre-room ticket carries no score (`isScoreHidden`). */
  hideBeforeOpening(t: QueueTicket, opensAtMs: number): QueueTicket;
  /** A ticket with a hidden score gets it back (after the opening, when the seed is public). */
  withScore(t: QueueTicket): QueueTicket;
}

export function createPreRoomScores(o: {
  clock: Clock;
  drawSeeds?: DrawSeedStore;
  drawPreScore?: (identityHash: string) => number;
}): PreRoomScores {
  const store = o.drawSeeds ?? createMemoryDrawSeeds();
  const seeds = new Map<string, Uint8Array>();

  function scoreOf(campaignId: string, identityHash: string): number {
    if (o.drawPreScore) return o.drawPreScore(identityHash);
    const seed = seeds.get(campaignId);
    if (!seed) throw new Error(`campaign ${campaignId}: draw seed not loaded`);
    return drawScore(seed, ticketIdOf(campaignId, identityHash));
  }

  return {
    seeds,
    async load(campaignId) {
      if (!seeds.has(campaignId)) seeds.set(campaignId, await store.seedFor(campaignId, newDrawSeed()));
    },
    scoreOf,
    hideBeforeOpening: (t, opensAtMs) =>
      o.clock.nowMs() < opensAtMs && t.seq === null ? { ...t, preScore: null, isScoreHidden: true } : t,
    withScore(t) {
      if (!t.isScoreHidden) return t;
      const { isScoreHidden: _, ...shown } = t;
      return { ...shown, preScore: scoreOf(t.campaignId, t.identityHash) };
    },
  };
}

/** FNV-1a over the characters: a cheap, non-cryptographic spread (the input is already a keyed hash). */
export function spreadOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
