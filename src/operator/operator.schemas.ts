/** The operator console's contract; the console imports the static types. */
import { Type, type Static } from '@sinclair/typebox';
import { LocalizedTextSchema } from '../platform/http/problem.schemas.ts';
import { CampaignIdSchema, CampaignParams, Nullable } from '../platform/http/common.schemas.ts';
import { RegionSeatsSchema } from '../campaigns/campaign.schemas.ts';

export { CampaignParams };

// A username is stored with each login attempt (the throttle): printable characters only, since
// Postgres text cannot hold a NUL and control characters have no place in a name.
export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\u0000-\\u001f\\u007f]+$' }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
/** Rules are checked by the rules validator (every problem listed), not by this schema. */
export const RulesBody = Type.Object({ rules: Type.Unknown() }, { additionalProperties: false });
export const PreviewBody = Type.Object(
  { rules: Type.Unknown(), at: Type.String({ format: 'date-time' }) },
  { additionalProperties: false },
);
export const AdmissionBody = Type.Object(
  {
    action: Type.Union([Type.Literal('pause'), Type.Literal('resume'), Type.Literal('pin'), Type.Literal('unpin')]),
    ratePerSec: Type.Optional(Type.Number({ minimum: 0, maximum: 100_000 })),
  },
  { additionalProperties: false },
);
export const DashboardQuery = Type.Object({ campaignId: CampaignIdSchema });

// Shown to everyone waiting and kept in the audit trail (Postgres jsonb cannot hold a NUL): line breaks, no other control characters.
const MessageText = Type.String({
  minLength: 1,
  maxLength: 280,
  pattern: '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]+$',
});
/**
 * The operator's admission settings: the planned admission rate, the planned session turnover
 * minute by minute from the opening (the capacity plan's curve; left out: kept as it is, null:
 * cleared) and a message to everyone waiting.
 */
export const AdmissionSettingsBody = Type.Object(
  {
    plannedRatePerSec: Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }), Type.Null()]),
    plannedTurnoverPerSec: Type.Optional(
      Type.Union([
        Type.Array(Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }), { minItems: 1, maxItems: 240 }),
        Type.Null(),
      ]),
    ),
    message: Type.Union([
      Type.Object({ ko: MessageText, en: MessageText }, { additionalProperties: false }),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);
export const AdmissionSettingsSchema = Type.Object({
  campaignId: Type.String(),
  plannedRatePerSec: Type.Union([Type.Number(), Type.Null()]),
  plannedTurnoverPerSec: Type.Union([Type.Array(Type.Number()), Type.Null()]),
  message: Type.Union([Type.Object({ ko: Type.String(), en: Type.String() }), Type.Null()]),
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export const ReferenceParams = Type.Object({
  campaignId: CampaignIdSchema,
  reference: Type.String({ minLength: 1, maxLength: 20 }),
});
/** A place named by its queue reference: where it stands, nothing about who holds it. */
export const ReferenceLookupSchema = Type.Object({
  campaignId: Type.String(),
  reference: Type.String(),
  state: Type.Union([Type.Literal('waiting'), Type.Literal('reached')]),
  partition: Type.Integer(),
  position: Type.Union([Type.Integer(), Type.Null()]),
  ahead: Type.Union([Type.Integer(), Type.Null()]),
  eta: Type.Union([
    Type.Object({
      seconds: Type.Integer(),
      lowSeconds: Type.Integer(),
      highSeconds: Type.Union([Type.Integer(), Type.Null()]),
    }),
    Type.Null(),
  ]),
  isPaused: Type.Boolean(),
});
export type AdmissionSettingsWire = Static<typeof AdmissionSettingsSchema>;
export type ReferenceLookupWire = Static<typeof ReferenceLookupSchema>;

export const OperatorSchema = Type.Object({
  username: Type.String(),
  role: Type.Union([Type.Literal('viewer'), Type.Literal('operator'), Type.Literal('approver'), Type.Literal('agent')]),
  csrfToken: Type.String(),
});
export const LoggedOutSchema = Type.Object({ loggedOut: Type.Literal(true) });

export const EditorCampaignSchema = Type.Object({
  id: Type.String(),
  liveVersion: Nullable(Type.Integer()),
  latestVersion: Type.Integer(),
  rules: Type.Unknown({ description: "the latest version's rules (a JSON object), as saved" }),
});
export const EditorCampaignsSchema = Type.Object({ campaigns: Type.Array(EditorCampaignSchema) });

export const ValidatedSchema = Type.Object({ ok: Type.Literal(true), id: Type.String(), version: Type.Integer() });

export const PhasePreviewSchema = Type.Object({
  phaseId: Type.String(),
  kind: Type.Union([Type.Literal('window'), Type.Literal('rotation')]),
  label: LocalizedTextSchema,
  opensAtMs: Type.Number(),
  closesAtMs: Type.Number(),
  bornRanges: Type.Array(Type.Object({ bornFrom: Type.String(), bornTo: Type.String() })),
  birthDayDigits: Type.Optional(Type.Array(Type.Integer())),
  people: Type.Integer(),
});
export const PreviewSchema = Type.Object({
  atMs: Type.Number(),
  phases: Type.Array(PhasePreviewSchema),
  people: Type.Integer(),
});

const QueueFeedSchema = Type.Object({
  waiting: Type.Integer(),
  admittedPerSec: Type.Number(),
  activeSessions: Type.Integer(),
  sessionLimit: Type.Integer(),
  cursor: Type.Integer(),
  tail: Type.Integer(),
  paused: Type.Boolean(),
  pinnedRatePerSec: Nullable(Type.Number()),
  ratePerSec: Type.Number(),
});
const EtaErrorSchema = Type.Object({ p50Sec: Type.Number(), p90Sec: Type.Number(), samples: Type.Integer() });

export const DashboardSchema = Type.Object({
  atMs: Type.Number(),
  campaignId: Type.String(),
  queue: Type.Unsafe<Static<typeof QueueFeedSchema> | null>({ ...QueueFeedSchema, type: ['object', 'null'] }),
  bookings: Type.Object({ perSec: Type.Number(), total: Type.Integer() }),
  latency: Type.Object({
    p50Ms: Nullable(Type.Number()),
    p99Ms: Nullable(Type.Number()),
    errorRate: Nullable(Type.Number()),
    requestsPerSec: Type.Number(),
  }),
  slotsLeftByRegion: Type.Array(RegionSeatsSchema),
  etaError: Type.Unsafe<Static<typeof EtaErrorSchema> | null>({ ...EtaErrorSchema, type: ['object', 'null'] }),
  /** "Your turn is near" messages written for this campaign: in the last minute, and in all. */
  turnNotices: Type.Object({ lastMinute: Type.Integer(), total: Type.Integer() }),
});

export const AdmissionChangedSchema = Type.Object({
  campaignId: Type.String(),
  action: Type.Union([Type.Literal('pause'), Type.Literal('resume'), Type.Literal('pin'), Type.Literal('unpin')]),
  state: Type.Unknown({ description: 'the admission controller state after the change' }),
});

export type OperatorWire = Static<typeof OperatorSchema>;
export type EditorCampaignWire = Static<typeof EditorCampaignSchema>;
export type PreviewWire = Static<typeof PreviewSchema>;
export type PhasePreviewWire = Static<typeof PhasePreviewSchema>;
export type DashboardWire = Static<typeof DashboardSchema>;
