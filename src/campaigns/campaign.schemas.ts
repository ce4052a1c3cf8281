/** The public campaign routes' contract; the web imports the static types. */
import { Type, type Static } from '@sinclair/typebox';
import { CampaignRulesSchema } from '../eligibility/rules.ts';
import { LocalizedTextSchema } from '../platform/http/problem.schemas.ts';
import { CampaignParams, InstantSchema } from '../platform/http/common.schemas.ts';

export { CampaignParams };

export const ScheduleQuery = Type.Object(
  { birthDate: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }) },
  { additionalProperties: false },
);

/** Live rules as published, each with its version. */
export const PublicCampaignSchema = Type.Composite([CampaignRulesSchema, Type.Object({ version: Type.Integer() })]);
export const CampaignListSchema = Type.Object({ campaigns: Type.Array(PublicCampaignSchema) });

export const OpeningSchema = Type.Object({
  phaseId: Type.String(),
  label: LocalizedTextSchema,
  opensAt: InstantSchema,
  closesAt: InstantSchema,
});
export const ScheduleSchema = Type.Object({ openings: Type.Array(OpeningSchema) });

export const RegionSeatsSchema = Type.Object({
  regionCode: Type.String(),
  free: Type.Integer(),
  capacity: Type.Integer(),
});
export const AvailabilitySchema = Type.Object({ regions: Type.Array(RegionSeatsSchema) });

export type PublicCampaignWire = Static<typeof PublicCampaignSchema>;
export type OpeningWire = Static<typeof OpeningSchema>;
export type RegionSeatsWire = Static<typeof RegionSeatsSchema>;
