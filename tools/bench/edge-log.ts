/**
 * The edge's own account of a run: deploy/nginx's `yeyak_timing` access log
 * (`$msec $status $request_time $upstream_response_time`, one line per request nginx finished). It
 * tells apart what the load generator reports as late: an answer the edge gave within 1 s but the
 * generator read late (its own CPU, on the same cores) from one the edge or the origin was slow
 * with. nginx logs a request the client gave up on (closed its connection) as 499.
 */

export interface EdgeLogSummary {
  /** Requests nginx finished and logged. */
  requests: number;
  /** Answered (any status but 499) with request_time ≤ 1 s. */
  answeredWithin1s: number;
  /** Answered, but after more than 1 s at the edge. */
  answeredLate: number;
  /** 499: the client closed the connection before the answer. */
  clientClosed: number;
  fiveXx: number;
  /** Answered by the edge itself (no upstream: its 429s, static files, the cache). */
  byEdge: number;
  /** Passed to an origin, which took more than 1 s to answer. */
  originOver1s: number;
  /** Slowest upstream_response_time seen, s. */
  originMaxSec: number;
}

/** Sums the log's lines; unreadable lines are skipped. */
export function summarizeEdgeLog(text: string): EdgeLogSummary {
  const s: EdgeLogSummary = {
    requests: 0,
    answeredWithin1s: 0,
    answeredLate: 0,
    clientClosed: 0,
    fiveXx: 0,
    byEdge: 0,
    originOver1s: 0,
    originMaxSec: 0,
  };
  for (const line of text.split('\n')) {
    const [msec, status, requestTime, ...rest] = line.trim().split(' ');
    const upstream = rest.join(' ');
    const took = Number(requestTime);
    if (!status || !Number.isFinite(Number(msec)) || !Number.isFinite(took)) continue;
    s.requests += 1;
    if (status === '499') s.clientClosed += 1;
    else if (took <= 1) s.answeredWithin1s += 1;
    else s.answeredLate += 1;
    if (status.startsWith('5')) s.fiveXx += 1;
    if (upstream === '' || upstream === '-') {
      s.byEdge += 1;
      continue;
    }
    // Several upstreams tried: "0.002, 1.004"; the origin's time is their sum.
    const originSec = upstream.split(/[,:]\s*/).reduce((a, t) => a + (Number(t) || 0), 0);
    if (originSec > 1) s.originOver1s += 1;
    if (originSec > s.originMaxSec) s.originMaxSec = originSec;
  }
  return s;
}
