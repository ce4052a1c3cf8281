/**
 * What an operator sets for a campaign's admission besides pause and pin (issue 14), shared by
 * every process through the store and read back at each snapshot refresh (once a second, never per
 * poll):
 * - `plannedRatePerSec`: the admission rate the operator planned (capacity planning, issue 15). ETAs
 *   start from it before a rate has been measured (snapshot.ts `estimateRate`).
 * - `plannedTurnoverPerSec`: the session turnover the plan expects, minute by minute from the opening
 *   (the capacity plan's `turnoverCurvePerSec`). ETAs follow its falls over a wait (snapshot.ts
 *   `turnoverShape`) and, from a minute after the opening, start the steady rate from its value now
 *   instead of the planned rate (room.ts `plannedSteadyOf`).
 * - `message`: a short note to everyone waiting, in Korean and English, shown in the public snapshot
 *   (e.g. why admission is paused and until when).
 *
 * And what the waiting room knows about seats (`SeatSupply`, a port the composition root fills from
 * the booking capability's free seats): when the seats a campaign can still book run out, admission
 * stops and everyone waiting is told at once, with when more seats open.
 */
export interface LocalizedMessage {
  readonly ko: string;
  readonly en: string;
}

export interface AdmissionSettings {
  readonly plannedRatePerSec: number | null;
  /** Absent or null: none planned (ETAs assume the rate now lasts). */
  readonly plannedTurnoverPerSec?: readonly number[] | null;
  readonly message: LocalizedMessage | null;
  /** Server time of the last change (epoch ms). */
  readonly updatedAtMs: number;
}

export const MESSAGE_MAX_CHARS = 280;
/** A turnover curve holds at most this many minutes (four hours). */
export const TURNOVER_CURVE_MAX_MINUTES = 240;

/** A usable turnover curve: 1..TURNOVER_CURVE_MAX_MINUTES finite rates, each above 0 and at most 1,000,000/s. */
export function isTurnoverCurve(x: unknown): x is readonly number[] {
  return (
    Array.isArray(x) &&
    x.length > 0 &&
    x.length <= TURNOVER_CURVE_MAX_MINUTES &&
    x.every((r) => typeof r === 'number' && Number.isFinite(r) && r > 0 && r <= 1_000_000)
  );
}

/** When a seat count was read: the reader's clock (epoch ms) and the room's sessions and claims then. */
export interface SeatCountMoment {
  readonly atMs: number;
  /** The room's active sessions and claims, all partitions (`seatsLeftNow` counts from them). */
  readonly base: { readonly active: number; readonly claimedTotal: number };
}

/** Seats a campaign can still book, as the booking capability counts them. */
export interface SeatCount {
  /** Free first-dose seats from the first bookable date on. */
  readonly seatsLeft: number;
  /** When more seats open (the campaign's next opening), or null when none is scheduled. */
  readonly nextSeatsAtMs: number | null;
  /**
   * Set on a count read earlier, possibly by another process (shared-seat-supply.ts): when it was
   * read and the room's sessions and claims then. Absent: read now, at the moment asked about.
   */
  readonly countedAt?: SeatCountMoment;
}

/**
 * The port: null when the campaign is unknown to the booking side (then seats are not limited).
 * `now` is the moment the room asks at (a count that comes back without `countedAt` is of then).
 */
export interface SeatSupply {
  seatsOf(campaignId: string, now?: SeatCountMoment): Promise<SeatCount | null>;
}

/** Reads a stored record; anything malformed reads as none (the store is not trusted blindly). */
export function parseAdmissionSettings(raw: string): AdmissionSettings | null {
  try {
    const o = JSON.parse(raw) as Record<string, unknown>;
    const rate = o.plannedRatePerSec;
    const m = o.message as Record<string, unknown> | null;
    const curve = o.plannedTurnoverPerSec ?? null;
    const isRate = rate === null || (typeof rate === 'number' && Number.isFinite(rate) && rate >= 0);
    const isMessage = m === null || (typeof m === 'object' && typeof m.ko === 'string' && typeof m.en === 'string');
    if (!isRate || !isMessage || typeof o.updatedAtMs !== 'number') return null;
    if (curve !== null && !isTurnoverCurve(curve)) return null;
    return {
      plannedRatePerSec: rate as number | null,
      ...('plannedTurnoverPerSec' in o ? { plannedTurnoverPerSec: curve } : {}),
      message: m && { ko: m.ko as string, en: m.en as string },
      updatedAtMs: o.updatedAtMs,
    };
  } catch {
    return null;
  }
}
