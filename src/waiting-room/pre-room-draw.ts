/**
 * The pre-room draw, checkable by anyone (issue 11 #5).
 *
 * Each campaign has one 32-byte random seed, made once (the first process to open the room stores
 * it; every process and every restart reads the same one). Its SHA-256 — the commitment — is public
 * from the moment the room accepts joins; the seed itself is revealed at the opening instant.
 *
 *   ticketId(campaign, identity) = base64url(SHA-256(campaignId ":" personField(identityHash)))[0..22)
 *   score(seed, ticketId)        = first 6 bytes, big-endian, of HMAC-SHA256(key = seed, ticketId)
 *
 * The score is a fixed function of the identity and the campaign: leaving and rejoining gives the same
 * draw, so it cannot be re-rolled. Nobody, the operator included, can choose the seed after seeing who
 * joined (it is committed first), and nobody can compute a score before the seed is revealed. The
 * ticket id is computable from the pre-room set's member (personField) alone, so the published order
 * needs no identity; it differs per campaign, so the lists of two campaigns cannot be joined.
 * Pre-room places go by ascending score; equal scores (a 48-bit tie: about 0.2 expected among 10 M
 * people) are ordered by the store's member and the verifier accepts either order.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { personField } from './keys.ts';

export const DRAW_ALGORITHM =
  'score = first 6 bytes (big-endian) of HMAC-SHA256(key = seed, message = ticketId); ' +
  'ticketId = base64url(SHA-256(campaignId ":" personField))[0..22); ascending score = earlier place';

/** Stores one seed per campaign, created at most once (first writer wins), durable across restarts. */
export interface DrawSeedStore {
  /** The campaign's seed: the stored one, or `fresh` stored now if there was none. */
  seedFor(campaignId: string, fresh: Uint8Array): Promise<Uint8Array>;
}

export function newDrawSeed(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

/** The public commitment to a seed: SHA-256, hex. */
export function seedCommitment(seed: Uint8Array): string {
  return createHash('sha256').update(seed).digest('hex');
}

export function ticketIdOfField(campaignId: string, field: string): string {
  return createHash('sha256').update(`${campaignId}:${field}`).digest('base64url').slice(0, 22);
}

export function ticketIdOf(campaignId: string, identityHash: string): string {
  return ticketIdOfField(campaignId, personField(identityHash));
}

/** An integer in [0, 2^48). */
export function drawScore(seed: Uint8Array, ticketId: string): number {
  return createHmac('sha256', seed).update(ticketId).digest().readUIntBE(0, 6);
}

/** Seeds kept in this process only (unit tests, and a deployment with one process and no database). */
export function createMemoryDrawSeeds(): DrawSeedStore {
  const seeds = new Map<string, Uint8Array>();
  return {
    async seedFor(campaignId, fresh) {
      if (!seeds.has(campaignId)) seeds.set(campaignId, fresh);
      return seeds.get(campaignId)!;
    },
  };
}
