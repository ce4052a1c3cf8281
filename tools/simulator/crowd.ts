/**
 * Everyone a run involves, held as parallel typed arrays (struct of arrays): at full scale that is
 * about 1.8 M people, and a JS object each would cost several hundred MB and much GC. Index i is one
 * verified identity (a person in the registry). The plan (who comes, when, how often they reload,
 * how patient they are) is drawn once from the scenario's seed; the runtime fields record what
 * happened to them.
 */

export const Kind = { citizen: 0, proxy: 1, bot: 2, outsider: 3 } as const;
export type KindCode = (typeof Kind)[keyof typeof Kind];
export const KIND_NAMES = ['citizen', 'proxy', 'bot', 'outsider'] as const;

/** Where a person is in their night. */
export const State = {
  absent: 0,
  waiting: 1,
  gaveUp: 2,
  admitted: 3,
  booked: 4,
  done: 5,
} as const;

/** How a person's night ended (reported per reason). */
export const Outcome = {
  none: 0,
  booked: 1,
  notEligible: 2,
  noSlot: 3,
  alreadyBooked: 4,
  placeExpired: 5,
  admissionEnded: 6,
  gaveUp: 7,
  proxyRefused: 8,
  error: 9,
  stillWaiting: 10,
  inSession: 11,
} as const;
export const OUTCOME_NAMES = [
  'none',
  'booked',
  'not-eligible',
  'no-slot',
  'already-booked',
  'place-expired',
  'admission-ended',
  'gave-up',
  'proxy-refused',
  'error',
  'still-waiting',
  'in-session',
] as const;

export interface ProxyTarget {
  /** The parent's RRN, kept in memory only to make the proxy request; never written anywhere. */
  readonly rrn: string;
  readonly name: string;
}

export class Crowd {
  readonly kind: Uint8Array;
  /** people.id in the registry (the requester: for a proxy, the child). */
  readonly personId: Float64Array;
  /** The person booked for: self, or the parent for a proxy. */
  readonly target: Int32Array;
  readonly identityHash: string[];
  readonly districtCode: string[];
  readonly regionCode: string[];
  /** Last digit of the target's day of birth (rotation group). */
  readonly digit: Uint8Array;
  /** Planned first arrival (epoch ms, virtual); NaN: does not come. */
  readonly arriveAtMs: Float64Array;
  readonly reloadsLeft: Uint8Array;
  readonly extraDevices: Uint8Array;
  readonly patienceMs: Float64Array;
  readonly proxyTargets = new Map<number, ProxyTarget>();
  /** Live mode only: everyone's RRN and name, to verify over HTTP (memory only, never written). */
  readonly credentials = new Map<number, ProxyTarget>();

  readonly state: Uint8Array;
  readonly outcome: Uint8Array;
  /** A call for this person is in flight: their next event waits (one thing at a time per person). */
  readonly busy: Uint8Array;
  readonly partition: Uint16Array;
  /** Known seq in the partition (NaN while an unresolved pre-room place). */
  readonly seq: Float64Array;
  readonly preScore: Float64Array;
  readonly ticket: (string | undefined)[];
  readonly firstJoinMs: Float64Array;
  readonly wasPreOpening: Uint8Array;
  readonly admittedAtMs: Float64Array;
  readonly bookedAtMs: Float64Array;
  readonly bookedDate: (string | undefined)[];
  readonly attempts: Uint8Array;
  readonly admission = new Map<number, { token: string; id: string }>();
  /** Slot ids the current search offered (cleared after booking). */
  readonly offered = new Map<number, number[]>();
  /** The alternative a slot-full refusal offered, taken with one tap (booked as the earliest seat at its facility from its date). */
  readonly alternative = new Map<number, { facilityId: number; date: string }>();

  constructor(readonly size: number) {
    this.kind = new Uint8Array(size);
    this.personId = new Float64Array(size);
    this.target = Int32Array.from({ length: size }, (_, i) => i);
    this.identityHash = new Array<string>(size);
    this.districtCode = new Array<string>(size);
    this.regionCode = new Array<string>(size);
    this.digit = new Uint8Array(size);
    this.arriveAtMs = new Float64Array(size).fill(Number.NaN);
    this.reloadsLeft = new Uint8Array(size);
    this.extraDevices = new Uint8Array(size);
    this.patienceMs = new Float64Array(size).fill(Number.POSITIVE_INFINITY);
    this.state = new Uint8Array(size);
    this.outcome = new Uint8Array(size);
    this.busy = new Uint8Array(size);
    this.partition = new Uint16Array(size);
    this.seq = new Float64Array(size).fill(Number.NaN);
    this.preScore = new Float64Array(size).fill(Number.NaN);
    this.ticket = new Array<string | undefined>(size);
    this.firstJoinMs = new Float64Array(size).fill(Number.NaN);
    this.wasPreOpening = new Uint8Array(size);
    this.admittedAtMs = new Float64Array(size).fill(Number.NaN);
    this.bookedAtMs = new Float64Array(size).fill(Number.NaN);
    this.bookedDate = new Array<string | undefined>(size);
    this.attempts = new Uint8Array(size);
  }

  /** The device a person's first (and winning) device uses: stable, 8-64 chars of [A-Za-z0-9_-]. */
  deviceOf(i: number): string {
    return `sim-dev-${i.toString(36)}`;
  }

  /** Another device of the same person (k ≥ 1): refused while the first holds the place. */
  otherDeviceOf(i: number, k: number): string {
    return `sim-alt${k}-${i.toString(36)}`;
  }

  isBot(i: number): boolean {
    return this.kind[i] === Kind.bot;
  }

  comes(i: number): boolean {
    return !Number.isNaN(this.arriveAtMs[i]!);
  }
}
