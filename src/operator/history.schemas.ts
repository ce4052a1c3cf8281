/** Schemas of the dashboard history route; the console's charts take their types from here. */
import { Type, type Static } from '@sinclair/typebox';

const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

export const HistoryQuery = Type.Object(
  { campaignId: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }) },
  { additionalProperties: false },
);

export const DashboardSampleSchema = Type.Object({
  atMs: Type.Number(),
  waiting: NullableNumber,
  admittedPerSec: NullableNumber,
  bookingsPerSec: Type.Number(),
  p50Ms: NullableNumber,
  p99Ms: NullableNumber,
  etaP50Sec: NullableNumber,
  etaP90Sec: NullableNumber,
});

export const DashboardHistorySchema = Type.Object({
  campaignId: Type.String(),
  samples: Type.Array(DashboardSampleSchema),
});
export type DashboardHistoryView = Static<typeof DashboardHistorySchema>;
