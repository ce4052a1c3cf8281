/**
 * Request validation: one Ajv per kind of input. Query strings, path parameters and headers are
 * text on the wire, so they are coerced to the declared types (`?limit=5` is the number 5). JSON
 * bodies already carry their types and are never coerced: `{"slotId":true}` is refused, not read
 * as slot 1. Both know the standard formats (`date` is a real calendar date, `date-time` an
 * RFC 3339 instant).
 */
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const common: Options = { removeAdditional: false, useDefaults: true, allErrors: true, strict: false };

function ajvWith(options: Options): Ajv {
  const ajv = new Ajv({ ...common, ...options });
  addFormats.default(ajv);
  return ajv;
}

/** Fastify's validator compiler: bodies strictly typed, everything else coerced from text. */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const body = ajvWith({ coerceTypes: false });
  const text = ajvWith({ coerceTypes: 'array' });
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema as object);
}
