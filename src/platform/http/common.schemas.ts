/**
 * Schema pieces every capability's `*.schemas.ts` shares: ids bounded to their column types,
 * calendar dates that exist, text without control characters, and nullable primitives in the form
 * fast-json-stringify serializes without trying branches (`type: ['integer', 'null']`).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * A `bigserial`/`bigint` id. Postgres allows up to 2^63-1, but a JSON number past 2^53-1 is not an
 * exact integer in JavaScript, so ids are refused above that (no row has one).
 */
export const BigIdSchema = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'bigint id' });

/** A calendar date that exists (`2026-02-30` is refused), YYYY-MM-DD. */
export const CalendarDateSchema = Type.String({
  format: 'date',
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'a calendar date YYYY-MM-DD',
});

/** A campaign id (path parameter and body member). */
export const CampaignIdSchema = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' });
export const CampaignParams = Type.Object({ campaignId: CampaignIdSchema });

/** An ISO 8601 instant as the server writes it (`Date#toISOString`). */
export const InstantSchema = Type.String({ description: 'ISO 8601 instant, UTC' });

/** Free text in a query (a name, a search term): 1 to `max` characters, none of them a control character (Postgres text cannot hold a NUL). */
export const QueryTextSchema = (max: number) =>
  Type.String({ minLength: 1, maxLength: max, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });

/** A code in a query string (region, district): letters, digits and hyphens; no control characters. */
export const CodeQuerySchema = Type.String({ pattern: '^[A-Za-z0-9-]{1,16}$' });

/** `T | null` for a primitive schema, as one JSON-Schema type list. */
export function Nullable<T extends TSchema & { type: string }>(schema: T) {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
}
