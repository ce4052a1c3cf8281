/**
 * Small factories for waiting-room service tests: a stepped clock, a memory store that counts the
 * calls it receives (to prove polls cost no store access), and a seeded pre-room score source.
 */
import { fixedClock } from '../../src/platform/clock.ts';
import { createMemoryCheckpoint, type WaitingRoomCheckpoint } from '../../src/waiting-room/checkpoint.ts';
import { createMemoryStore, type MemoryWaitingRoomStore } from '../../src/waiting-room/memory-store.ts';
import { deriveKey } from '../../src/platform/signing.ts';
import {
  createWaitingRoomService,
  type WaitingRoomDeps,
  type WaitingRoomService,
} from '../../src/waiting-room/waiting-room.service.ts';
import { PRE_SCORE_RANGE, type WaitingRoomStore } from '../../src/waiting-room/waiting-room.store.ts';

export const OPENS = 1_700_000_000_000;
export const CAMPAIGN = 'round-1849';
export const SECRET = 'test-signing-secret-of-at-least-32-characters';
export const keys = { ticket: deriveKey(SECRET, 'queue-ticket'), admission: deriveKey(SECRET, 'admission') };

/** mulberry32: a tiny deterministic PRNG, for fixed-seed statistical tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Uniform integers in [0, 2^48) from a seeded PRNG (two 24-bit halves), one per identity: drawn at
 * an identity's first score and the same ever after, as the real draw is (pre-room-draw.ts).
 */
export function seededPreScores(seed: number): (identityHash: string) => number {
  const r = seededRandom(seed);
  const drawn = new Map<string, number>();
  return (identityHash) => {
    if (!drawn.has(identityHash))
      drawn.set(identityHash, Math.floor(r() * 2 ** 24) * 2 ** 24 + Math.floor(r() * 2 ** 24));
    return drawn.get(identityHash)!;
  };
}

export type CountingStore<S extends WaitingRoomStore> = S & {
  readonly calls: Map<string, number>;
  totalCalls(): number;
};

export function countCalls<S extends WaitingRoomStore>(store: S): CountingStore<S> {
  const calls = new Map<string, number>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'calls') return calls;
      if (prop === 'totalCalls') return () => [...calls.values()].reduce((a, b) => a + b, 0);
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls.set(String(prop), (calls.get(String(prop)) ?? 0) + 1);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as CountingStore<S>;
}

export interface Harness {
  readonly clock: ReturnType<typeof fixedClock>;
  readonly store: CountingStore<MemoryWaitingRoomStore>;
  readonly checkpoint: WaitingRoomCheckpoint;
  readonly service: WaitingRoomService;
}

export async function newHarness(
  o: {
    partitions?: number;
    startMs?: number;
    drawPreScore?: (identityHash: string) => number;
    drawSeeds?: WaitingRoomDeps['drawSeeds'];
    settings?: WaitingRoomDeps['settings'];
    controller?: WaitingRoomDeps['controller'];
    admissions?: WaitingRoomDeps['admissions'];
    checkpoint?: WaitingRoomCheckpoint;
    seats?: WaitingRoomDeps['seats'];
  } = {},
): Promise<Harness> {
  const clock = fixedClock(o.startMs ?? OPENS - 60_000);
  const store = countCalls(createMemoryStore());
  const checkpoint = o.checkpoint ?? createMemoryCheckpoint();
  const service = createWaitingRoomService({
    clock,
    store,
    checkpoint,
    keys,
    // A test's own score source, or the real seeded draw when it passes seeds (drawSeeds).
    ...(o.drawSeeds ? { drawSeeds: o.drawSeeds } : { drawPreScore: o.drawPreScore ?? seededPreScores(1) }),
    settings: { graceMs: 60_000, admissionTtlMs: 600_000, lockoutMs: 600_000, ...o.settings },
    controller: o.controller,
    ...(o.admissions ? { admissions: o.admissions } : {}),
    ...(o.seats ? { seats: o.seats } : {}),
  });
  await service.openCampaign({ campaignId: CAMPAIGN, opensAtMs: OPENS, partitions: o.partitions ?? 1 });
  return { clock, store, checkpoint, service };
}

export const person = (i: number) => ({ campaignId: CAMPAIGN, identityHash: `identity-${i}`, deviceId: `device-${i}` });

/** Spearman rank correlation of two equally long lists of distinct numbers. */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  const ranks = (v: readonly number[]) => {
    const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
    const r = new Array<number>(v.length);
    order.forEach(([, i], rank) => {
      r[i] = rank;
    });
    return r;
  };
  const rx = ranks(xs),
    ry = ranks(ys),
    n = xs.length;
  const d2 = rx.reduce((sum, r, i) => sum + (r - ry[i]!) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

export { PRE_SCORE_RANGE };
