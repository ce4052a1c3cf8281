/**
 * Identity verification is a port: in production a certified provider (mobile carrier PASS,
 * Kakao, Naver…) confirms that the person holding the phone is the owner of the RRN. Here a
 * simulated provider confirms it against the person registry, with configurable latency and
 * failure rate so the load simulator can reproduce the August 2021 verification bottleneck.
 */
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { err, ok, type Result } from '../platform/result.ts';

export interface VerificationRequest {
  /** Keyed hash of the normalized RRN; the provider adapter never receives the clear number here. */
  identityHash: string;
  name: string;
}

export type VerificationFailure = 'identity-mismatch' | 'identity-provider-unavailable';

export interface IdentityProvider {
  readonly id: string;
  readonly name: { ko: string; en: string };
  verify(req: VerificationRequest): Promise<Result<{ identityHash: string }, VerificationFailure>>;
}

export interface SimulatedProviderOptions {
  id: string;
  name: { ko: string; en: string };
  latencyMs: number;
  /** 0..1: share of verifications that fail as if the provider were down. */
  failureRate: number;
  /** Registry lookup: the name registered for this identity hash, or undefined. */
  nameOf(identityHash: string): Promise<string | undefined>;
  /** Injected so tests are deterministic; returns an integer in [0, 1e6). */
  random?: () => number;
}

/** The providers citizens choose from, as in 2021: the mobile carriers' PASS, Kakao and Naver. */
export const PROVIDERS: readonly {
  readonly id: string;
  readonly name: { readonly ko: string; readonly en: string };
}[] = [
  { id: 'pass', name: { ko: 'PASS (통신사)', en: 'PASS (mobile carrier)' } },
  { id: 'kakao', name: { ko: '카카오 인증', en: 'Kakao certificate' } },
  { id: 'naver', name: { ko: '네이버 인증', en: 'Naver certificate' } },
];

/** Every provider of PROVIDERS, simulated against the person registry with the same latency and failure rate. */
export function createSimulatedProviders(opts: Omit<SimulatedProviderOptions, 'id' | 'name'>): IdentityProvider[] {
  return PROVIDERS.map((p) => createSimulatedProvider({ ...p, ...opts }));
}

export function createSimulatedProvider(opts: SimulatedProviderOptions): IdentityProvider {
  const random = opts.random ?? (() => randomInt(1_000_000));
  return {
    id: opts.id,
    name: opts.name,
    async verify(req) {
      if (opts.latencyMs > 0) await sleep(opts.latencyMs);
      if (random() < opts.failureRate * 1_000_000) return err('identity-provider-unavailable');
      const registered = await opts.nameOf(req.identityHash);
      if (registered === undefined || registered !== req.name.trim()) return err('identity-mismatch');
      return ok({ identityHash: req.identityHash });
    },
  };
}
