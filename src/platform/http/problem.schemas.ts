/**
 * The wire shape of every error answer (RFC 9457 application/problem+json, rendered by errors.ts)
 * and the helper routes use to declare it beside their 2xx bodies. Problems keep their extension
 * members (`errors`, `problems`, `reason`, …): the schema lets them through.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

export const LocalizedTextSchema = Type.Object({ ko: Type.String(), en: Type.String() });

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: '/problems/<code>' }),
    code: Type.String({ description: 'Stable machine-readable reason, a key of the error table' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    messages: LocalizedTextSchema,
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), {
        description: 'validation: each refused field',
      }),
    ),
    problems: Type.Optional(
      Type.Array(
        Type.Object({
          path: Type.String(),
          message: Type.String(),
          messages: Type.Optional(LocalizedTextSchema),
          place: Type.Optional(
            Type.Object({ ko: Type.String(), en: Type.String() }, { description: 'the place as a person reads it' }),
          ),
        }),
        {
          description:
            'invalid-rules: each problem at a JSON pointer, in Korean and English, with a label for its place',
        },
      ),
    ),
  },
  { additionalProperties: true, description: 'application/problem+json (RFC 9457)' },
);

export type ProblemWire = Static<typeof ProblemSchema>;

/** Errors as `/docs` shows them and Fastify serializes them: the problem schema under its own media type. */
const problemReply = {
  description: 'A problem (RFC 9457)',
  content: { 'application/problem+json': { schema: ProblemSchema } },
};

/** A route's `response` map: its success bodies, and the problem shape for every 4xx and 5xx. */
export function replies<R extends Record<number, TSchema>>(success: R) {
  return { ...success, '4xx': problemReply, '5xx': problemReply };
}
