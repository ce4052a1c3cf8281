/**
 * Expected failures travel as values with a closed union of reasons; the unexpected is thrown.
 * The HTTP edge maps each reason to a status through one table (src/platform/http/errors.ts).
 */
export type Ok<T> = { ok: true; value: T };
export type Err<R extends string> = { ok: false; reason: R; detail?: Record<string, unknown> };
export type Result<T, R extends string> = Ok<T> | Err<R>;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const err = <R extends string>(reason: R, detail?: Record<string, unknown>): Err<R> =>
  detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
