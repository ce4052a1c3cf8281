/**
 * How many joins one process starts per second: a token bucket holding at most one second's worth,
 * refilled continuously. Sized from the join capacity measured for one process (config
 * JOIN_BUDGET_PER_SEC), it turns the excess of a surge away at once — a 429 with Retry-After that
 * costs about what a hello-world answer costs — instead of accepting work the process cannot finish
 * before the person gives up. It is checked before the body is parsed, the session verified or any
 * Redis counter touched.
 */
export interface JoinBudget {
  /** Takes one join from the budget; false: over budget, refuse now. */
  tryTake(): boolean;
}

/** `nowMs` is a monotonic clock in ms (performance.now in the routes, a stepped one in tests). */
export function createJoinBudget(o: { perSec: number; nowMs: () => number }): JoinBudget {
  if (!(o.perSec > 0)) throw new Error(`join budget must be positive, got ${o.perSec}`);
  const capacity = o.perSec;
  let tokens = capacity;
  let lastMs = o.nowMs();
  return {
    tryTake() {
      const now = o.nowMs();
      if (now > lastMs) {
        tokens = Math.min(capacity, tokens + ((now - lastMs) * o.perSec) / 1000);
        lastMs = now;
      }
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
