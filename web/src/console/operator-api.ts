/**
 * Console calls: the session is an http-only cookie the page cannot read; the CSRF token from
 * login (or /me) is kept in memory only and sent as x-csrf-token on every state change.
 */
import { apiRequest, type RequestOptions } from '../shared/api.ts';
import type { OperatorWire } from '../../../src/operator/operator.schemas.ts';

export type Operator = OperatorWire;
export type Role = Operator['role'];

let csrfToken: string | null = null;

export function rememberOperator(op: Operator | null): void {
  csrfToken = op?.csrfToken ?? null;
}

export function opRequest<T>(path: string, o: RequestOptions = {}) {
  const changes = o.method && o.method !== 'GET';
  return apiRequest<T>(path, {
    ...o,
    headers: { ...o.headers, 'x-csrf-token': changes ? (csrfToken ?? undefined) : undefined },
  });
}
