/**
 * The waiting room's contract. The status is one flat object (no union), so fast-json-stringify
 * writes the poll answer — the hottest path of opening night — without trying branches.
 * States the server sends: `pre-opening` (opensAt, preRoomSize), `waiting` (position, ETA band),
 * `admitted` (admission, and no next poll: nextPollMs is null).
 */
import { Type, type Static } from '@sinclair/typebox';
import { CampaignParams, InstantSchema, Nullable } from '../platform/http/common.schemas.ts';

export { CampaignParams };

export const JoinBody = Type.Object(
  { deviceId: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' }) },
  { additionalProperties: false },
);
export const TicketHeaders = Type.Object({ 'x-queue-ticket': Type.String({ minLength: 10, maxLength: 2000 }) });

/** Seconds; `highSeconds` null when the band has no upper end (a stall was measured). */
const EtaSchema = Type.Object({
  seconds: Type.Integer(),
  lowSeconds: Type.Integer(),
  highSeconds: Nullable(Type.Integer()),
  /** true while the estimate rests mostly on the operator's planned rate (no rate measured yet). */
  isFromPlan: Type.Optional(Type.Boolean()),
});
const AdmissionSchema = Type.Object({ token: Type.String(), expiresAt: InstantSchema });

const statusProperties = {
  state: Type.Union([Type.Literal('pre-opening'), Type.Literal('waiting'), Type.Literal('admitted')]),
  opensAt: Type.Optional(InstantSchema),
  preRoomSize: Type.Optional(Type.Integer()),
  position: Nullable(Type.Integer()),
  ahead: Nullable(Type.Integer()),
  behind: Nullable(Type.Integer()),
  isEstimate: Type.Optional(Type.Boolean()),
  eta: Type.Unsafe<Static<typeof EtaSchema> | null>({ ...EtaSchema, type: ['object', 'null'] }),
  /** 0..1: the share of the places ahead at the first look that have been passed; null if unknown. */
  progress: Nullable(Type.Number()),
  /** The short queue reference of this place, to quote to the call centre; absent until the place is exact. */
  reference: Type.Optional(Nullable(Type.String())),
  /** Milliseconds until the next poll; null once admitted (go and book). */
  nextPollMs: Nullable(Type.Integer()),
  admission: Type.Optional(AdmissionSchema),
};

export const QueueStatusSchema = Type.Object(statusProperties);
export const JoinedSchema = Type.Object({ ticket: Type.String(), status: QueueStatusSchema });
/** A poll's answer: the status and the (possibly renewed) ticket. */
export const PolledSchema = Type.Object({ ticket: Type.String(), ...statusProperties });
export const LeftSchema = Type.Object({ left: Type.Literal(true) });

export type QueueStatusWire = Static<typeof QueueStatusSchema>;
export type PolledWire = Static<typeof PolledSchema>;
export type JoinedWire = Static<typeof JoinedSchema>;
