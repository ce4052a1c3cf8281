/** Request and response schemas of the audit routes (audit.routes.ts); the console takes its types from here. */
import { Type, type Static } from '@sinclair/typebox';
import { AUDIT_ACTIONS } from './audit.ts';
import { QueryTextSchema } from '../platform/http/common.schemas.ts';

const NullableText = Type.Union([Type.String(), Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

/** Every action the trail records (audit.ts's list); the console's labels are checked against its type. */
export const AuditActionSchema = Type.Union(AUDIT_ACTIONS.map((a) => Type.Literal(a)));
export type AuditActionWire = Static<typeof AuditActionSchema>;

export const AuditQuery = Type.Object(
  {
    campaignId: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' })),
    actor: Type.Optional(QueryTextSchema(64)),
    action: Type.Optional(AuditActionSchema),
    target: Type.Optional(QueryTextSchema(120)),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    beforeId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  },
  { additionalProperties: false },
);

export const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  atMs: Type.Number(),
  actorKind: Type.Union([Type.Literal('operator'), Type.Literal('agent'), Type.Literal('system')]),
  actor: Type.String(),
  action: Type.String(),
  campaignId: NullableText,
  target: NullableText,
  before: Type.Unknown(),
  after: Type.Unknown(),
  detail: Type.Unknown(),
});
export type AuditEntryView = Static<typeof AuditEntrySchema>;

export const AuditList = Type.Object({ entries: Type.Array(AuditEntrySchema) });

export const TraceParams = Type.Object({
  bookingNumber: Type.String({ pattern: '^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$' }),
});

export const BookingTraceSchema = Type.Object({
  bookingNumber: Type.String(),
  campaignId: Type.String(),
  campaignVersion: Type.Integer(),
  status: Type.Union([Type.Literal('active'), Type.Literal('cancelled')]),
  createdAtMs: Type.Number(),
  cancelledAtMs: NullableNumber,
  isProxy: Type.Boolean(),
  admissionId: NullableText,
  admission: Type.Union([
    Type.Null(),
    Type.Object({
      queueSeq: NullableNumber,
      preRoom: Type.Boolean(),
      ticketIssuedAtMs: NullableNumber,
      admittedAtMs: Type.Number(),
      expiresAtMs: Type.Number(),
      deviceTag: Type.String(),
      verificationProvider: NullableText,
      verifiedAtMs: NullableNumber,
      matchesRequester: Type.Boolean(),
    }),
  ]),
  agentAdmission: Type.Union([
    Type.Null(),
    Type.Object({
      lane: Type.Literal('agent'),
      agent: Type.String(),
      admittedAtMs: Type.Number(),
      expiresAtMs: Type.Number(),
      verificationProvider: Type.String(),
      verifiedAtMs: Type.Number(),
      matchesRequester: Type.Boolean(),
    }),
  ]),
  entries: Type.Array(AuditEntrySchema),
});
export type BookingTraceView = Static<typeof BookingTraceSchema>;
