/**
 * The only way domain code learns the time. Production uses the server's clock (never the client's);
 * tests use a fixed or stepped clock. Values are epoch milliseconds (UTC instants), so the process
 * time zone can never change an answer.
 */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that tests move by hand. */
export function fixedClock(startMs: number): Clock & { set(ms: number): void; advance(ms: number): void } {
  let now = startMs;
  return {
    nowMs: () => now,
    set: (ms: number) => {
      now = ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}
