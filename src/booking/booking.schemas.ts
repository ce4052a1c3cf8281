/**
 * The booking routes' contract: request and response bodies. The web imports the static types
 * (`import type`), so what the pages read is what the server serializes.
 */
import { Type, type Static } from '@sinclair/typebox';
import {
  BigIdSchema,
  CalendarDateSchema,
  CampaignParams,
  CodeQuerySchema,
  InstantSchema,
  Nullable,
} from '../platform/http/common.schemas.ts';
import { LocalizedTextSchema, ProblemSchema } from '../platform/http/problem.schemas.ts';
import { CohortSchema } from '../eligibility/rules.ts';

export { CampaignParams };

export const BookingParams = Type.Object({ bookingNumber: Type.String({ pattern: '^[A-Z0-9-]{6,20}$' }) });

export const SlotQuery = Type.Object(
  {
    region: Type.Optional(CodeQuerySchema),
    district: Type.Optional(CodeQuerySchema),
    date: Type.Optional(CalendarDateSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);

/** The slot-search query string as the availability service takes it (a new booking, a change, an agent's search). */
export const slotSearchOf = (q: Static<typeof SlotQuery>) => ({
  regionCode: q.region,
  districtCode: q.district,
  date: q.date,
  limit: q.limit,
});

const ForPerson = Type.Optional(
  Type.Object(
    {
      rrn: Type.String({ minLength: 13, maxLength: 14 }),
      name: Type.String({ minLength: 1, maxLength: 40 }),
    },
    { additionalProperties: false },
  ),
);

/**
 * A chosen slot (`slotId`), or the earliest free seat at a facility from a date on (`earliestAt`,
 * picked and taken in one atomic step): exactly one of the two. One object with a presence rule
 * rather than a union, so a bad field is reported once, under its own name.
 */
export const PlaceBody = Type.Object(
  {
    slotId: Type.Optional(BigIdSchema),
    earliestAt: Type.Optional(
      Type.Object(
        { facilityId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), fromDate: CalendarDateSchema },
        { additionalProperties: false },
      ),
    ),
    forPerson: ForPerson,
  },
  {
    additionalProperties: false,
    anyOf: [{ required: ['slotId'] }, { required: ['earliestAt'] }],
    not: { required: ['slotId', 'earliestAt'] },
  },
);

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.String({
    minLength: 8,
    maxLength: 100,
    pattern: '^[\\x21-\\x7e]+$',
    description: 'Client-chosen key; a retried request with the same key returns the same booking',
  }),
});

export const ChangeBody = Type.Object({ slotId: BigIdSchema }, { additionalProperties: false });

const FacilitySchema = Type.Object({
  code: Type.String(),
  name: LocalizedTextSchema,
  address: Type.String(),
  /** English address; '' when not known (show `address`). */
  addressEn: Type.String(),
  regionCode: Type.String(),
});

export const BookingViewSchema = Type.Object({
  bookingNumber: Type.String(),
  campaignId: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('cancelled')]),
  isProxy: Type.Boolean(),
  /** Null when the facility row is gone (a booking outlives a facility's removal). */
  facility: Type.Unsafe<Static<typeof FacilitySchema> | null>({ ...FacilitySchema, type: ['object', 'null'] }),
  vaccineCode: Type.String(),
  dose1: Type.Object({ date: Type.String(), slotId: Type.Integer() }),
  dose2: Type.Object({ date: Type.String(), slotId: Type.Integer() }),
  createdAt: InstantSchema,
  cancelledAt: Nullable(InstantSchema),
});

export const MyBookingsSchema = Type.Object({ bookings: Type.Array(BookingViewSchema) });

export const SlotSchema = Type.Object({
  slotId: Type.Integer(),
  date: Type.String(),
  vaccineCode: Type.String(),
  rotationGroup: Nullable(Type.Integer()),
  free: Type.Integer(),
  facilityId: Type.Integer(),
  facilityCode: Type.String(),
  nameKo: Type.String(),
  nameEn: Type.String(),
  regionCode: Type.String(),
  districtCode: Type.String(),
  address: Type.String(),
  /** English address; '' when not known (show `address`). */
  addressEn: Type.String(),
});

/**
 * A booking refused with 409 (slot-full, already-booked, admission-used, …). A `slot-full` refusal
 * carries `alternatives`: free slots instead — the same facility on other dates (nearest first),
 * then facilities of the same region on the same date (same district first).
 */
export const SlotFullProblemSchema = Type.Object(
  {
    ...ProblemSchema.properties,
    alternatives: Type.Optional(Type.Array(SlotSchema, { description: 'slot-full only: free slots to book instead' })),
  },
  { additionalProperties: true, description: 'application/problem+json (RFC 9457); slot-full carries alternatives' },
);

export const SlotFullReply = {
  description: 'A conflict (RFC 9457)',
  content: { 'application/problem+json': { schema: SlotFullProblemSchema } },
};

export const SlotSearchSchema = Type.Object({ doseIntervalDays: Type.Integer(), slots: Type.Array(SlotSchema) });

/** The eligibility decision; instants are epoch milliseconds. */
export const EligibilitySchema = Type.Union([
  Type.Object({
    status: Type.Literal('eligible'),
    phaseId: Type.String(),
    closesAtMs: Type.Number(),
    cohort: CohortSchema,
    message: LocalizedTextSchema,
  }),
  Type.Object({
    status: Type.Literal('not-yet'),
    phaseId: Type.String(),
    opensAtMs: Type.Number(),
    cohort: CohortSchema,
    message: LocalizedTextSchema,
  }),
  Type.Object({
    status: Type.Literal('window-closed'),
    lastClosedAtMs: Type.Number(),
    cohort: CohortSchema,
    message: LocalizedTextSchema,
  }),
  Type.Object({ status: Type.Literal('already-booked'), cohort: CohortSchema, message: LocalizedTextSchema }),
  Type.Object({ status: Type.Literal('not-in-cohort'), message: LocalizedTextSchema }),
]);

export type BookingViewWire = Static<typeof BookingViewSchema>;
export type SlotWire = Static<typeof SlotSchema>;
export type SlotSearchWire = Static<typeof SlotSearchSchema>;
export type SlotFullProblemWire = Static<typeof SlotFullProblemSchema>;
export type EligibilityWire = Static<typeof EligibilitySchema>;
