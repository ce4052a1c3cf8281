/**
 * JSON Schema (as @fastify/swagger writes it into the OpenAPI document) → fast-check arbitraries:
 * `valueOf` generates values the schema accepts, mostly; `hostileValue` generates what an attacker
 * or a broken client sends instead (wrong types, numbers past 2^53 and 2^63, dates that do not
 * exist, control characters, very long text, prototype keys).
 */
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  nullable?: boolean;
}

const CONTROL = ['\u0000', '\u0001', '\u0007', '\u001b[31m', '\r\n', '\u007f', '\t', '\u2028'];

/** What arrives instead of the declared value. */
export function hostileValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom<unknown>(true, false, null, [], {}, 0, -1, 1.5, -0, 2 ** 53, 2 ** 63, 1e20, -1e308, 1e308),
    fc.constantFrom(
      '2026-02-30',
      '2026-13-01',
      '0000-00-00',
      '2025-02-29',
      '99999-01-01',
      '2026-1-1',
      '2026-02-28T25:00:00Z',
    ),
    fc.constantFrom('9223372036854775808', '-9223372036854775809', '1e20', 'NaN', 'Infinity', '0x10', ' 1', '1 '),
    fc
      .constantFrom(...CONTROL)
      .chain((c) => fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })).map(([a, b]) => `${a}${c}${b}`)),
    fc.constantFrom(
      '__proto__',
      'constructor',
      '../../etc/passwd',
      "' OR 1=1 --",
      '<script>alert(1)</script>',
      '%00',
      '%zz',
      '🦠💉',
      '\uD800',
    ),
    fc.integer({ min: 1, max: 20_000 }).map((n) => 'x'.repeat(n)),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
    fc.object({ maxDepth: 1, maxKeys: 3 }),
  );
}

/**
 * What arrives instead of a value of `schema`, aimed at it: numbers past what the column or a JSON
 * number holds for integers, dates that do not exist for dates, control characters and very long
 * text for strings; and, a third of the time, anything at all.
 */
export function hostileFor(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  const types = Array.isArray(schema?.type) ? schema.type : [schema?.type];
  const aimed =
    types.includes('integer') || types.includes('number')
      ? fc.constantFrom<unknown>(2 ** 63, 1e20, 2 ** 53, 2 ** 53 + 2, -1, 0, 1.5, 1e308, true, '1', null, [1])
      : schema?.format === 'date' || schema?.format === 'date-time' || schema?.pattern?.includes('\\d{4}')
        ? fc.constantFrom<unknown>(
            '2026-02-30',
            '2026-13-01',
            '0000-00-00',
            '2025-02-29',
            '2026-04-31',
            '9999-99-99',
            '2026-00-10',
          )
        : fc.constantFrom(...CONTROL).map((c) => `KR${c}11`);
  return fc.oneof({ arbitrary: aimed, weight: 2 }, { arbitrary: hostileValue(), weight: 1 });
}

/** Values of `schema`: valid in the main, with its edges (minimum, maximum, lengths). */
export function valueOf(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => valueOf(s, depth + 1)));
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.includes('null') || schema.nullable) {
    const rest = { ...schema, type: types.filter((t) => t !== 'null'), nullable: false };
    return fc.oneof(
      { arbitrary: fc.constant(null), weight: 1 },
      { arbitrary: valueOf(rest.type.length ? rest : { ...rest, type: undefined }, depth), weight: 3 },
    );
  }
  switch (types[0]) {
    case 'string':
      return stringOf(schema);
    case 'integer':
      return fc.oneof(
        fc.integer({
          min: Math.max(schema.minimum ?? -1_000_000, -(2 ** 31)),
          max: Math.min(schema.maximum ?? 1_000_000, 2 ** 31 - 1),
        }),
        fc.constantFrom(...[schema.minimum, schema.maximum].filter((v): v is number => v !== undefined)),
      );
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1e6,
        max: schema.maximum ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valueOf(schema.items, depth + 1), { maxLength: 4 });
    case 'object':
      return objectOf(schema, depth);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringOf(s: JsonSchema): fc.Arbitrary<string> {
  if (s.format === 'date')
    return fc
      .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
  if (s.format === 'date-time')
    return fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString());
  const bounded = (x: string) =>
    (s.maxLength === undefined || x.length <= s.maxLength) && x.length >= (s.minLength ?? 0);
  if (s.pattern) return fc.stringMatching(new RegExp(s.pattern)).filter(bounded);
  return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 64, 200) });
}

function objectOf(s: JsonSchema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const props = s.properties ?? {};
  const required = new Set(s.required ?? []);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, v] of Object.entries(props)) model[k] = valueOf(v, depth + 1);
  const requiredKeys = Object.keys(props).filter((k) => required.has(k));
  return fc.record(model, { requiredKeys }) as fc.Arbitrary<Record<string, unknown>>;
}

/**
 * A valid-looking object with one member made hostile, one required member dropped, or one
 * unknown member added: the edits a validator must catch.
 */
export function mutatedObjectOf(s: JsonSchema): fc.Arbitrary<unknown> {
  const keys = Object.keys(s.properties ?? {});
  const aimed = keys.length
    ? fc.constantFrom(...keys).chain((k) => hostileFor(s.properties![k]).map((v) => [k, v] as const))
    : fc.constant(['x', null] as const);
  return fc
    .tuple(
      objectOf(s, 0),
      fc.nat(),
      hostileValue(),
      aimed,
      fc.constantFrom('aimed', 'aimed', 'hostile', 'drop', 'extra'),
    )
    .map(([obj, i, bad, [aimedKey, aimedValue], how]) => {
      const o: Record<string, unknown> = { ...obj };
      const key = keys.length ? keys[i % keys.length]! : 'x';
      if (how === 'aimed') o[aimedKey] = aimedValue;
      else if (how === 'hostile') o[key] = bad;
      else if (how === 'drop') delete o[key];
      else o[`extra${i % 3}`] = bad;
      return o;
    });
}
