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

/**
 * How long a request waited between the edge and this process, from the edge's
 * `X-Request-Start: t=<seconds since the epoch, ms precision>` (nginx's `$msec`; the convention
 * several hosting platforms use). undefined when the header is absent or unreadable. When this
 * process is slower than what the edge passes it, requests wait in its socket before it reads them;
 * the in-flight cap does not see them and the event-loop delay sees them late. A join that has
 * already waited longer than the shed threshold is refused at once (a 429 costs a fraction of a
 * join), so the queue in front of the process drains instead of growing until answers come after
 * the person's 1 s. Edge and origin clocks must agree (NTP); on one machine they are one clock.
 * A client that sets the header itself can only get its own join refused, or skip this check (the
 * budget and the in-flight cap still apply).
 */
export function queuedMs(header: string | string[] | undefined, nowMs: number): number | undefined {
  if (typeof header !== 'string' || !header.startsWith('t=')) return undefined;
  const sec = Number(header.slice(2));
  if (!Number.isFinite(sec) || sec <= 0) return undefined;
  return Math.max(0, nowMs - sec * 1000);
}
