/** Postgres error facts both drivers (pg and PGlite) report the same way. */
interface PgErrorLike { code?: unknown; constraint?: unknown }

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
  constructor(readonly reason: R, readonly detail?: Record<string, unknown>) {
    super(`rollback: ${reason}`);
  }
}
