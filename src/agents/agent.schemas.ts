/** The agent routes' contract (and the operator's lane quota); the console imports the static types. */
import { Type, type Static } from '@sinclair/typebox';
import { BigIdSchema, CalendarDateSchema, CampaignParams, Nullable } from '../platform/http/common.schemas.ts';
import { IdempotencyHeaders } from '../booking/booking.schemas.ts';
import { PublicPersonSchema, VerifyBody } from '../identity/identity.schemas.ts';
import { MAX_LANE_SHARE_PERCENT } from '../waiting-room/agent-lane.ts';

export { CampaignParams };

/** The verified caller's session, as the agent page sends it back with each call for that caller. */
export const CallerHeaders = Type.Object({
  'x-caller-session': Type.String({
    minLength: 1,
    maxLength: 2_000,
    description: 'from POST /api/agent/callers/verify',
  }),
});

export const CallerVerifyBody = VerifyBody;

export const AgentBookingHeaders = Type.Object({
  ...CallerHeaders.properties,
  ...IdempotencyHeaders.properties,
});

/** As the citizen's booking body (a slot, or the earliest seat at a facility), for the verified caller only. */
export const AgentPlaceBody = Type.Object(
  {
    slotId: Type.Optional(BigIdSchema),
    earliestAt: Type.Optional(
      Type.Object(
        { facilityId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), fromDate: CalendarDateSchema },
        { additionalProperties: false },
      ),
    ),
  },
  {
    additionalProperties: false,
    anyOf: [{ required: ['slotId'] }, { required: ['earliestAt'] }],
    not: { required: ['slotId', 'earliestAt'] },
  },
);

export const CallerVerifiedSchema = Type.Object({
  callerToken: Type.String(),
  expiresAt: Type.String(),
  person: PublicPersonSchema,
  providerId: Type.String(),
});

export const LaneQuotaBody = Type.Object(
  { sharePercent: Type.Number({ minimum: 0, maximum: MAX_LANE_SHARE_PERCENT }) },
  { additionalProperties: false },
);

export const LaneStatusSchema = Type.Object({
  campaignId: Type.String(),
  quota: Nullable(Type.Object({ sharePercent: Type.Number(), setBy: Type.String(), setAtMs: Type.Number() })),
  maxSharePercent: Type.Number(),
  hasRoom: Type.Boolean(),
  isOpen: Type.Boolean(),
  isPaused: Type.Boolean(),
  ratePerSec: Type.Number(),
  allowance: Type.Object({ perWindow: Type.Integer(), usedInWindow: Type.Integer(), windowMs: Type.Integer() }),
});

export type CallerVerifiedWire = Static<typeof CallerVerifiedSchema>;
export type LaneStatusWire = Static<typeof LaneStatusSchema>;
