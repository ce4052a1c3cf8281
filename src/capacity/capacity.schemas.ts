/** Schemas of the console's capacity-plan route; the console page takes its types from here. */
import { Type, type Static } from '@sinclair/typebox';

const N = Type.Number();
const NullableN = Type.Union([Type.Number(), Type.Null()]);

export const CapacityParams = Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }) });
export const CapacityQuery = Type.Object(
  {
    scenario: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' })),
    opensAtMs: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

const PlanMinuteSchema = Type.Object({
  minute: N,
  firstJoinsPerSec: N,
  joinRequestsPerSec: N,
  admittedPerSec: N,
  claimsPerSec: N,
  queue: N,
  activeSessions: N,
  turnoverPerSec: NullableN,
});

export const CapacityPlanSchema = Type.Object({
  people: Type.Object({ eligible: N, joining: N, proxies: N, outsiders: N, joinRequests: N }),
  admission: Type.Object({
    plannedRatePerSec: N,
    openingRatePerSec: N,
    turnoverCurvePerSec: Type.Array(N),
    limitedBy: Type.Union([
      Type.Literal('service-maximum'),
      Type.Literal('active-session-cap'),
      Type.Literal('postgres'),
    ]),
    sessionSeconds: N,
    presentShare: N,
    schedule: Type.Array(Type.Object({ fromMinutes: N, ratePerSec: N, note: Type.String() })),
  }),
  queue: Type.Object({
    peak: N,
    peakAtMinutes: N,
    drainedAtMinutes: NullableN,
    preRoomAtOpening: N,
    peakActiveSessions: N,
  }),
  peak: Type.Object({
    joinRequestsPerSec: N,
    verificationsPerSec: N,
    snapshotPollsPerSec: N,
    heartbeatsPerSec: N,
    claimsPerSec: N,
    bookingRequestsPerSec: N,
    bookingsPerSec: N,
  }),
  frontDoor: Type.Object({
    processes: N,
    coreSeconds: Type.Object({ joins: N, verifications: N, heartbeats: N, claims: N, bookingPath: N }),
    joinBudgetPerProcess: N,
    snapshotCoresWithoutEdge: N,
  }),
  edge: Type.Object({
    cores: N,
    snapshotCores: N,
    joinCores: N,
    originSnapshotRequestsPerSec: N,
    joinRatePerSec: N,
  }),
  redis: Type.Object({
    shards: N,
    shardsForLoad: N,
    peakCommandsPerSec: N,
    memoryBytes: N,
    memoryPerShardBytes: N,
    partitions: N,
  }),
  postgres: Type.Object({
    peakBookingsPerSec: N,
    peakVerificationReadsPerSec: N,
    cores: N,
    utilisation: N,
    storageBytes: N,
    bookings: N,
    connections: N,
  }),
  minutes: Type.Array(PlanMinuteSchema),
  assumptions: Type.Array(Type.String()),
  targets: Type.Object({
    utilisation: N,
    snapshotPollSeconds: N,
    heartbeatSeconds: N,
    redisReplicas: N,
    drainedShareOfPeak: N,
    postgresBytesPerBooking: N,
    postgresBytesPerPerson: N,
    maxSecondsAfterLastArrival: N,
  }),
  measuredFrom: Type.Object({ file: Type.String(), measuredAt: Type.String(), machine: Type.String() }),
});

export const CampaignCapacityPlanSchema = Type.Object({
  campaignId: Type.String(),
  openings: Type.Array(Type.Object({ opensAtMs: N, eligible: N })),
  opening: Type.Object({ opensAtMs: N, eligible: N }),
  scenario: Type.Object({ id: Type.String(), title: Type.String() }),
  scenarios: Type.Array(Type.Object({ id: Type.String(), title: Type.String() })),
  service: Type.Object({ admissionMaxRatePerSec: N, activeSessionCap: N, partitions: N }),
  plan: CapacityPlanSchema,
});
export type CampaignCapacityPlanView = Static<typeof CampaignCapacityPlanSchema>;
