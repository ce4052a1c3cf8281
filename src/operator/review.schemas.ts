/** Request and response schemas of the review routes (review.routes.ts); the console takes its types from here. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const NullableText = Type.Union([Type.String(), Type.Null()]);
const CampaignId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' });

export const SubmitBody = Type.Object({ rules: Type.Unknown() }, { additionalProperties: false });
/** A version is a Postgres integer (int4). */
export const ReviewParams = Type.Object({
  campaignId: CampaignId,
  version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
});
export const ReviewListQuery = Type.Object({ campaignId: Type.Optional(CampaignId) }, { additionalProperties: false });
/** Absent or not in the future: publish now. Later: the scheduled publisher does it at that instant. */
export const PublishBody = Type.Object(
  { at: Type.Optional(Type.String({ format: 'date-time' })) },
  { additionalProperties: false },
);

export const ReviewSchema = Type.Object({
  campaignId: Type.String(),
  version: Type.Integer(),
  state: Type.Union([
    Type.Literal('pending'),
    Type.Literal('approved'),
    Type.Literal('published'),
    Type.Literal('withdrawn'),
  ]),
  author: Type.String(),
  submittedAtMs: Type.Number(),
  baseLiveVersion: Nullable(Type.Integer()),
  approver: NullableText,
  approvedAtMs: Nullable(Type.Number()),
  publishAtMs: Nullable(Type.Number()),
  publishedAtMs: Nullable(Type.Number()),
  publishedBy: NullableText,
  rules: Type.Unknown(),
});
export type ReviewView = Static<typeof ReviewSchema>;

export const ReviewList = Type.Object({ reviews: Type.Array(ReviewSchema) });

export const ImpactGroupSchema = Type.Object({
  kind: Type.Union([Type.Literal('gains'), Type.Literal('loses'), Type.Literal('moves')]),
  birthYear: Type.Integer(),
  birthDayDigit: Type.Integer({ minimum: 0, maximum: 9 }),
  people: Type.Integer(),
  firstOpensAtMsBefore: Nullable(Type.Number()),
  firstOpensAtMsAfter: Nullable(Type.Number()),
  sampleBirthDates: Type.Array(Type.String()),
});

export const ImpactSchema = Type.Object({
  campaignId: Type.String(),
  liveVersion: Nullable(Type.Integer()),
  newVersion: Type.Integer(),
  population: Type.Integer(),
  totals: Type.Object({
    gains: Type.Integer(),
    loses: Type.Integer(),
    moves: Type.Integer(),
    unchanged: Type.Integer(),
  }),
  groups: Type.Array(ImpactGroupSchema),
  /** The live version moved since submission: publishing will be refused; submit again. */
  isStale: Type.Boolean(),
  review: ReviewSchema,
});
export type ImpactView = Static<typeof ImpactSchema>;
