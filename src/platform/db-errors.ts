/** Postgres error facts both drivers (pg and PGlite) report the same way. */
interface PgErrorLike {
  code?: unknown;
  constraint?: unknown;
}

/** The constraint name when `e` is a unique violation (23505), else undefined. */
export function uniqueViolation(e: unknown): string | undefined {
  const pe = e as PgErrorLike;
  return pe?.code === '23505' ? String(pe.constraint ?? '') : undefined;
}

/** Deadlock (40P01) or serialization failure (40001): safe to retry the whole transaction. */
export function isRetryableTxError(e: unknown): boolean {
  const code = (e as PgErrorLike)?.code;
  return code === '40P01' || code === '40001';
}

/** Thrown inside a transaction to roll it back with an expected failure reason. */
export class Rollback<R extends string> extends Error {
  constructor(
    readonly reason: R,
    readonly detail?: Record<string, unknown>,
  ) {
    super(`rollback: ${reason}`);
  }
}

/** Thrown instead of starting database work while the database is known to be unavailable. */
export class DatabaseUnavailableError extends Error {
  readonly code = 'database-unavailable';
  constructor() {
    super('database unavailable: new work is refused until a probe succeeds');
  }
}

/**
 * SQLSTATE classes and codes that say "the database cannot do this now", not "this request is
 * wrong": connection exceptions (08), operator intervention (57: terminated backend, shutdown,
 * statement_timeout's query_canceled), insufficient resources (53), lock_not_available (55P03,
 * lock_timeout). Retrying later can succeed; the transaction that met one was rolled back.
 */
const UNAVAILABLE_SQLSTATE = /^(08|57|53)|^55P03$/;

/** Node socket errors and pg's own messages for a connection that died or never came. */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Client was closed|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT/;

/** A statement or connection that ran out of time: lock_timeout, statement_timeout, no connection in time. */
export function isDatabaseSlow(e: unknown): boolean {
  const code = (e as PgErrorLike)?.code;
  if (code === '55P03' || code === '57014') return true;
  return e instanceof Error && /timeout exceeded when trying to connect|ETIMEDOUT/.test(e.message);
}

/** Whether `e` means the database is unavailable or too slow (answer 503, not 500). */
export function isDatabaseUnavailable(e: unknown): boolean {
  if (e instanceof DatabaseUnavailableError) return true;
  const code = (e as PgErrorLike)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_SQLSTATE.test(code);
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return UNAVAILABLE_MESSAGE.test(code);
  return e instanceof Error && UNAVAILABLE_MESSAGE.test(e.message);
}
