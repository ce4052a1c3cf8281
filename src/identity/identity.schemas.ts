/** The identity routes' contract; the web imports the static types. */
import { Type, type Static } from '@sinclair/typebox';
import { LocalizedTextSchema } from '../platform/http/problem.schemas.ts';
import { InstantSchema, Nullable } from '../platform/http/common.schemas.ts';

export const VerifyBody = Type.Object(
  {
    providerId: Type.String({ minLength: 1, maxLength: 32 }),
    rrn: Type.String({
      minLength: 13,
      maxLength: 14,
      description: 'Resident registration number, YYMMDD-NNNNNNN; hashed at once, never stored',
    }),
    name: Type.String({ minLength: 1, maxLength: 40 }),
  },
  { additionalProperties: false },
);

export const ProviderSchema = Type.Object({
  id: Type.String(),
  name: LocalizedTextSchema,
  light: Type.Union([Type.Literal('green'), Type.Literal('yellow'), Type.Literal('red'), Type.Literal('grey')]),
  successRate: Nullable(Type.Number()),
  p50LatencyMs: Nullable(Type.Number()),
});
export const ProvidersSchema = Type.Object({ providers: Type.Array(ProviderSchema) });

/** What a page may know of the verified person: a masked name and the birth date. */
export const PublicPersonSchema = Type.Object({ maskedName: Type.String(), birthDate: Type.String() });

export const VerifiedSchema = Type.Object({
  sessionToken: Type.String(),
  expiresAt: InstantSchema,
  person: PublicPersonSchema,
});

export const MeSchema = Type.Object({
  person: Type.Unsafe<Static<typeof PublicPersonSchema> | null>({ ...PublicPersonSchema, type: ['object', 'null'] }),
  expiresAt: InstantSchema,
});

export type ProviderWire = Static<typeof ProviderSchema>;
export type VerifiedWire = Static<typeof VerifiedSchema>;
