/**
 * A queue reference's lookup as the console routes answer it (the operator's and the call-centre
 * agent's route give the same answer): where the place stands, nothing about who holds it.
 */
import type { ProblemReason } from '../platform/http/errors.ts';
import type { ReferenceLookup, ReferenceRefusal } from '../waiting-room/waiting-room.service.ts';
import type { ReferenceLookupWire } from './operator.schemas.ts';

export function referenceLookupWire(campaignId: string, f: ReferenceLookup): ReferenceLookupWire {
  const eta = f.state === 'waiting' && f.eta;
  return {
    campaignId,
    reference: f.reference,
    state: f.state,
    partition: f.partition,
    position: f.state === 'waiting' ? f.position : null,
    ahead: f.state === 'waiting' ? f.ahead : null,
    eta: eta
      ? {
          seconds: Math.round(eta.expectedMs / 1000),
          lowSeconds: Math.round(eta.lowMs / 1000),
          highSeconds: eta.highMs === null ? null : Math.round(eta.highMs / 1000),
        }
      : null,
    isPaused: f.isPaused,
  };
}

/** 404 for an unknown campaign or a place not issued yet, 400 for text that is not a reference. */
export const referenceProblem = (reason: ReferenceRefusal): ProblemReason =>
  reason === 'unknown-campaign'
    ? 'campaign-not-found'
    : reason === 'bad-reference'
      ? 'queue-reference-invalid'
      : 'queue-reference-unknown';
