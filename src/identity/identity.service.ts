/**
 * Verifies a person through an identity provider and issues a verified-identity session.
 * The RRN is parsed and hashed here and then dropped: it is never stored, logged or returned.
 */
import type { Clock } from '../platform/clock.ts';
import { err, ok, type Result } from '../platform/result.ts';
import type { TokenSigner } from '../platform/signing.ts';
import { parseRrn } from '../people/rrn.ts';
import type { PersonRow } from '../people/people.table.ts';
import { identityHashOf } from './identity-hash.ts';
import type { IdentityProvider } from './identity-provider.ts';
import { createProviderHealth, type ProviderStatus } from './provider-health.ts';

export interface SessionClaims {
  [key: string]: unknown;
  /** person id */
  pid: number;
  /** identity hash (keyed hash of the RRN) */
  ih: string;
  /** the identity provider that verified the person (absent in sessions issued before it was recorded) */
  prv?: string;
}

export interface Session {
  personId: number;
  identityHash: string;
  expiresAtMs: number;
  /** How and when this session's identity was verified (the session was issued at verification). */
  verification?: { providerId: string; verifiedAtMs: number };
}

export type VerifyFailure =
  'malformed-rrn' | 'invalid-rrn' | 'identity-mismatch' | 'identity-provider-unavailable' | 'not-found';

export interface IdentityServiceDeps {
  clock: Clock;
  hmacKey: string;
  providers: readonly IdentityProvider[];
  sessions: TokenSigner<SessionClaims>;
  sessionTtlMs: number;
  findPerson(identityHash: string): Promise<PersonRow | undefined>;
}

export function createIdentityService(deps: IdentityServiceDeps) {
  const health = createProviderHealth(deps.clock);
  const byId = new Map(deps.providers.map((p) => [p.id, p]));

  /**
   * The identity hash of an RRN, or why the number is unusable. The check digit is not enforced:
   * numbers issued or changed since October 2020 end in a random digit, and refusing a real
   * person is the failure we exist to prevent; a typo is caught by the provider's name check.
   */
  function hashRrn(rrn: string): Result<{ identityHash: string; birthDate: string }, 'malformed-rrn' | 'invalid-rrn'> {
    const parsed = parseRrn(rrn, { checksum: 'skip' });
    if (!parsed.ok) return err(parsed.reason === 'malformed' ? 'malformed-rrn' : 'invalid-rrn');
    return ok({
      identityHash: identityHashOf(deps.hmacKey, parsed.value.normalized),
      birthDate: parsed.value.birthDate,
    });
  }

  async function verify(input: { providerId: string; rrn: string; name: string }) {
    const provider = byId.get(input.providerId);
    if (!provider) return err('not-found' as const, { field: 'providerId' });
    const hashed = hashRrn(input.rrn);
    if (!hashed.ok) return hashed;
    const started = deps.clock.nowMs();
    const verdict = await provider.verify({ identityHash: hashed.value.identityHash, name: input.name });
    health.record(
      provider.id,
      verdict.ok || verdict.reason !== 'identity-provider-unavailable',
      deps.clock.nowMs() - started,
    );
    if (!verdict.ok) return verdict;
    const person = await deps.findPerson(hashed.value.identityHash);
    if (!person) return err('identity-mismatch' as const);
    const { token, expiresAtMs } = await deps.sessions.sign(
      { pid: person.id, ih: person.identity_hash, prv: provider.id },
      deps.sessionTtlMs,
    );
    return ok({ sessionToken: token, expiresAt: new Date(expiresAtMs).toISOString(), person: publicPerson(person) });
  }

  /**
   * The registered person a proxy books for, from the RRN and name the proxy typed: the same RRN
   * rules as verification, and the name must match the register (who may be booked for).
   */
  async function resolveProxyTarget(
    rrn: string,
    name: string,
  ): Promise<Result<PersonRow, 'identity-mismatch' | 'malformed-rrn' | 'invalid-rrn'>> {
    const hashed = hashRrn(rrn);
    if (!hashed.ok) return hashed;
    const person = await deps.findPerson(hashed.value.identityHash);
    return person && person.name === name.trim() ? ok(person) : err('identity-mismatch');
  }

  /** A session from its bearer token: one HMAC and a parse, answered without a promise (session-auth.ts). */
  function authenticateNow(token: string | undefined): Result<Session, 'unauthenticated'> {
    if (!token) return err('unauthenticated');
    const v = deps.sessions.verifyNow(token);
    if (!v.ok) return err('unauthenticated');
    const { pid, ih, prv, exp, iat } = v.value;
    return ok({
      personId: pid,
      identityHash: ih,
      expiresAtMs: exp * 1000,
      ...(typeof prv === 'string' ? { verification: { providerId: prv, verifiedAtMs: iat * 1000 } } : {}),
    });
  }

  async function authenticate(token: string | undefined): Promise<Result<Session, 'unauthenticated'>> {
    return authenticateNow(token);
  }

  function providerStatuses(): ProviderStatus[] {
    return deps.providers.map((p) => ({ id: p.id, name: p.name, ...health.statusOf(p.id) }));
  }

  return { verify, authenticate, authenticateNow, hashRrn, resolveProxyTarget, providerStatuses };
}

export type IdentityService = ReturnType<typeof createIdentityService>;

/** What a citizen's own screen may show: a masked name and the birth date, never the RRN. */
export function publicPerson(p: PersonRow) {
  return { maskedName: maskName(p.name), birthDate: p.birth_date };
}

export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}
