/**
 * The shared state of a full-scale run and its event vocabulary. Events are small integers
 * `person * 8 + kind` kept in the TimeWheel; handlers (queue-agent.ts, session-agent.ts) start
 * real service calls through `sim.start`, which the engine awaits at the end of each step.
 */
import type { Services } from '../../src/app/compose.ts';
import type { fixedClock } from '../../src/platform/clock.ts';
import type { Prng } from '../../src/synthetic/prng.ts';
import type { WaitingRoomService } from '../../src/waiting-room/waiting-room.service.ts';
import type { RoomSnapshot } from '../../src/waiting-room/snapshot.ts';
import type { BookingPath } from './booking-path.ts';
import type { Crowd } from './crowd.ts';
import type { Recorder } from './recorder.ts';
import type { Scenario } from './scenario.ts';
import type { TimeWheel } from './time-wheel.ts';

/** Width of the event calendar's buckets (ms): an event may come out up to this much early. */
export const WHEEL_BUCKET_MS = 100;

/** Front-door kinds first, booking-path kinds (eligibility and after) last: the engine runs them in that order. */
export const Ev = {
  arrive: 0,
  reload: 1,
  otherDevice: 2,
  poll: 3,
  comeBack: 4,
  eligibility: 5,
  search: 6,
  book: 7,
} as const;
export type EvKind = (typeof Ev)[keyof typeof Ev];
export const encode = (person: number, kind: EvKind): number => person * 8 + kind;
export const personOf = (event: number): number => Math.floor(event / 8);
export const kindOf = (event: number): EvKind => (event % 8) as EvKind;
export const isBookingPathEvent = (event: number): boolean => kindOf(event) >= Ev.eligibility;

/** The first ETA a sampled person was shown, to compare with when they were admitted. */
export interface EtaPromise {
  atMs: number;
  expectedMs: number;
  lowMs: number;
  highMs: number | null;
}

export interface Sim {
  readonly scenario: Scenario;
  readonly crowd: Crowd;
  readonly wheel: TimeWheel;
  readonly rec: Recorder;
  readonly clock: ReturnType<typeof fixedClock>;
  readonly rng: Prng;
  readonly services: Services;
  readonly wr: WaitingRoomService;
  /** Where admitted people's requests run: this thread or worker threads (booking-path.ts). */
  bookingPath: BookingPath;
  readonly campaignId: string;
  readonly opensAtMs: number;
  readonly ticketKey: Uint8Array;
  readonly poll: {
    readonly minPollMs: number;
    readonly maxPollMs: number;
    readonly pollFraction: number;
    readonly ticketMaxAgeMs: number;
  };
  /** Next poll each person is due (NaN: none scheduled); a POLL event for another time is stale. */
  readonly nextPollAt: Float64Array;
  /** Start of the current waiting spell (patience counts from here). */
  readonly waitingSince: Float64Array;
  readonly etaPromises: Map<number, EtaPromise>;
  /** The room's snapshot as of the last refresh (the same object the service answers polls from). */
  snapshot: RoomSnapshot | null;
  /** Seats still free tonight, as the simulator counts them (checked against the database at the end). */
  seatsLeft: number;
  /** Promises started in this step. */
  readonly tasks: Promise<void>[];
  /** The first unexpected error (the run stops after the step). */
  fatal: Error | null;
  readonly counts: {
    pollsSkipped: number;
    realPollsSampled: number;
    realPollsNearFront: number;
    steps: number;
    stepWallMs: number;
    tickWallMs: number;
    /**
     * First ETAs set aside because the place they were shown for was lost (the person gave up, or
     * came back after the grace period) and they queued again: their next ETA, for the new place,
     * is the one measured.
     */
    etaPlacesLost: number;
  };
}

export const now = (sim: Sim): number => sim.clock.nowMs();

/** Runs a service call for this step; unexpected errors stop the run (they are never silently counted). */
export function start(sim: Sim, task: () => Promise<void>): void {
  sim.tasks.push(
    task().catch((e: unknown) => {
      sim.fatal ??= e instanceof Error ? e : new Error(String(e));
    }),
  );
}

export function schedule(sim: Sim, atMs: number, person: number, kind: EvKind): void {
  sim.wheel.push(atMs, encode(person, kind));
}

export const isSampled = (sim: Sim, i: number): boolean => i % sim.scenario.simulation.pollSampleEvery === 0;

/** Wall-clock ms of an async call. */
export async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await f();
  return { value, ms: performance.now() - t0 };
}
