/**
 * The front-door phase's arithmetic and its printout: ratios to the two floors measured in the same
 * run, the issue's targets (PASS/MISS) and the join budget sized from the measured capacity.
 */
import type { Row } from './wrk.ts';
import type { EdgeLogSummary } from './edge-log.ts';

export interface JoinBudget {
  perSec: number;
  /** The arithmetic, printed as it is. */
  why: string;
}

export interface FrontDoorTarget {
  name: string;
  measured: string;
  target: string;
  pass: boolean | null;
}

export interface FrontDoorResult {
  rows: Row[];
  originSnapshotPerSec: number;
  joinCapacityPerSec: number;
  /** What a Node-only budget would have to be (the formula); shown to say why the edge sheds. */
  budget: JoinBudget;
  /** Joins a second the overload's edge passed on (limit_req); the rest it refused itself. */
  edgeJoinRatePerSec: number;
  overload: Row;
  /** The overload as the edge logged it (absent in results saved before it was read). */
  overloadEdge?: EdgeLogSummary;
  durationSec: number;
  /** Length of the overload run (s). */
  overloadSec?: number;
  targets: FrontDoorTarget[];
  text?: string;
}

/** Identity verification measured before this change (docs/scaling.md §2.2): ~1,100 per core-second. */
export const VERIFY_PER_CORE_SEC_BEFORE = 1_100;

/**
 * Joins one process may start per second so that, at `overloadFactor` × capacity offered, the joins
 * it starts plus the refusals of the rest fit in 90 % of one core:
 *   B·join + (F·cap − B)·refusal ≤ 0.9 core-s  ⇒  B ≤ (0.9e6 − F·cap·refusal) / (join − refusal)
 * and never above 90 % of the capacity measured.
 */
export function joinBudgetFor(m: {
  joinCapacityPerSec: number;
  joinCpuUs: number;
  refusalCpuUs: number;
  overloadFactor: number;
}): JoinBudget {
  const { joinCapacityPerSec: cap, joinCpuUs: j, refusalCpuUs: r, overloadFactor: f } = m;
  const byCpu = j > r ? (0.9e6 - f * cap * r) / (j - r) : cap;
  const perSec = Math.max(1, Math.floor(Math.min(0.9 * cap, byCpu)));
  const why =
    `min(0.9 × ${Math.round(cap)} measured, (0.9e6 µs − ${f} × ${Math.round(cap)} × ${r.toFixed(1)} µs) / (${j.toFixed(1)} − ${r.toFixed(1)} µs) = ${Math.round(byCpu)}) = ${perSec}/s` +
    (byCpu <= 0
      ? ` — refusing ${f}× alone would take ${((f * cap * r) / 1e6).toFixed(2)} of a core, so only an edge in front can shed it`
      : '');
  return { perSec, why };
}

const rowNamed = (res: FrontDoorResult, prefix: string) => res.rows.find((r) => r.name.startsWith(prefix));
const ratio = (a: Row | undefined, b: Row | undefined) =>
  a && b && b.answersPerSec > 0 ? a.answersPerSec / b.answersPerSec : null;

export function frontDoorTargets(res: FrontDoorResult): FrontDoorTarget[] {
  const nginx = rowNamed(res, 'nginx'),
    hello = rowNamed(res, 'Fastify');
  const at = (name: string, r: number | null, min: number): FrontDoorTarget => ({
    name,
    measured: r === null ? '—' : `${r.toFixed(2)}×`,
    target: `≥ ${min}×`,
    pass: r === null ? null : r >= min,
  });
  const join = rowNamed(res, 'join'),
    verify = rowNamed(res, 'verification'),
    o = res.overload,
    e = res.overloadEdge;
  const joinUs = join?.cpuUsPerAnswer.node ?? null,
    verifyUs = verify?.cpuUsPerAnswer.node ?? null;
  const verifyPerCore = verifyUs ? 1e6 / verifyUs : null;
  return [
    at('polls (snapshot) through the edge / nginx static', ratio(rowNamed(res, 'snapshot through'), nginx), 0.5),
    {
      name: 'origin snapshot requests per second (1 partition-document × 1 edge)',
      measured: res.originSnapshotPerSec.toFixed(2),
      target: `≤ 1 (+1 over the run: ≤ ${(1 + 1 / res.durationSec).toFixed(2)})`,
      pass: res.originSnapshotPerSec <= 1 + 1 / res.durationSec,
    },
    at('polls (snapshot) by Node directly / Fastify hello-world', ratio(rowNamed(res, 'snapshot, Node'), hello), 0.5),
    at('joins / Fastify hello-world', ratio(join, hello), 0.25),
    at('refusals / Fastify hello-world', ratio(rowNamed(res, 'poll refused'), hello), 0.5),
    {
      name: 'join, Node CPU per request over a real socket',
      measured: joinUs === null ? '—' : `${joinUs.toFixed(0)} µs`,
      target: '≤ 100 µs',
      pass: joinUs === null ? null : joinUs <= 100,
    },
    {
      name: `verifications per Node core-second (before: ~${VERIFY_PER_CORE_SEC_BEFORE.toLocaleString('en-US')})`,
      measured: verifyPerCore === null ? '—' : Math.round(verifyPerCore).toLocaleString('en-US'),
      target: `≥ ${(3 * VERIFY_PER_CORE_SEC_BEFORE).toLocaleString('en-US')}`,
      pass: verifyPerCore === null ? null : verifyPerCore >= 3 * VERIFY_PER_CORE_SEC_BEFORE,
    },
    {
      name: '5× join overload: rate the load generator really offered ÷ join capacity',
      measured: `${(o.offeredPerSec / Math.max(1, res.joinCapacityPerSec)).toFixed(2)}×`,
      target: '≥ 4.75× (5× less 5 %), else the rows below do not show 5×',
      pass: o.offeredPerSec >= 4.75 * res.joinCapacityPerSec,
    },
    {
      name: '5× join overload: answered (2xx, or 429 with Retry-After) within 1 s',
      measured: `${(100 * o.shareWithin1s).toFixed(2)} %`,
      target: '≥ 99 %',
      pass: o.shareWithin1s >= 0.99 && (o.retryAfterShare ?? 1) === 1,
    },
    {
      name: "5× join overload: answered within 1 s, by the edge's log (requests nginx read, less 499s)",
      measured: e ? `${((100 * e.answeredWithin1s) / Math.max(1, e.requests - e.clientClosed)).toFixed(2)} %` : '—',
      target: '≥ 99 %',
      pass: e ? e.answeredWithin1s >= 0.99 * (e.requests - e.clientClosed) : null,
    },
    { name: '5× join overload: 5xx', measured: String(o.fiveXx), target: '0', pass: o.fiveXx === 0 },
    {
      name: '5× join overload: timeouts (> 1 s) and socket errors',
      measured: `${o.timeouts} + ${o.socketErrors}`,
      target: '0',
      pass: o.timeouts === 0 && o.socketErrors === 0,
    },
    {
      name: "5× join overload: joins started ÷ the edge's join rate (a proxy, not an issue target)",
      measured: `${((o.classes['2xx']?.count ?? 0) / (res.overloadSec ?? 1) / Math.max(1, res.edgeJoinRatePerSec)).toFixed(2)}×`,
      target: '≥ 0.9×',
      pass: (o.classes['2xx']?.count ?? 0) / (res.overloadSec ?? 1) >= 0.9 * res.edgeJoinRatePerSec,
    },
    {
      name: '5× join overload: admitted bookings keep ≥ 0.9× their rate',
      measured: 'not measured in this phase',
      target: '≥ 0.9×',
      pass: null,
    },
  ];
}

const n0 = (v: number) => Math.round(v).toLocaleString('en-US');
const pad = (s: string, w: number) => (s.length >= w ? s : s + ' '.repeat(w - s.length));
const lpad = (s: string, w: number) => (s.length >= w ? s : ' '.repeat(w - s.length) + s);

function line(r: Row, nginx: Row | undefined, hello: Row | undefined): string {
  const x = (b: Row | undefined) => {
    const q = ratio(r, b);
    return q === null ? '—' : `${q.toFixed(2)}×`;
  };
  const classes = Object.entries(r.classes)
    .map(([k, c]) => `${k} ${(100 * c.shareWithin1s).toFixed(1)}%`)
    .join(', ');
  const us = (k: string) => (r.cpuUsPerAnswer[k] === undefined ? '—' : r.cpuUsPerAnswer[k]!.toFixed(1));
  return `  ${pad(r.name, 44)} ${lpad(n0(r.answersPerSec), 8)} ${lpad(x(nginx), 7)} ${lpad(x(hello), 7)} ${lpad(us('node'), 8)} ${lpad(us('nginx'), 8)} ${lpad(r.latencyMs.p99.toFixed(1), 8)}  ${classes}${r.timeouts ? `, timeouts ${r.timeouts}` : ''}`;
}

/**
 * The edge's account next to the generator's: whose were the late answers. nginx's $request_time
 * starts when it reads the request, so time a request spent unread in its socket (nginx short of
 * CPU) is late for wrk but not in the log; 499s are requests still open when wrk stopped.
 */
function edgeLine(e: EdgeLogSummary, o: Row): string {
  const pct = (n: number) => `${((100 * n) / Math.max(1, e.requests - e.clientClosed)).toFixed(2)} %`;
  return [
    `    the edge's log: ${n0(e.requests)} requests, ${n0(e.clientClosed)} of them still open when the generator stopped (499; it never gives up on one before);`,
    ` of the rest answered within 1 s ${pct(e.answeredWithin1s)}, later ${n0(e.answeredLate)}, 5xx ${n0(e.fiveXx)}; answered by the edge itself ${n0(e.byEdge)};`,
    ` slower than 1 s at the origin ${n0(e.originOver1s)} (slowest ${e.originMaxSec.toFixed(3)} s).`,
    ` the generator read ${n0(o.timeouts)} answers later than 1 s (or never): ${n0(Math.max(0, o.timeouts - e.answeredLate))} more than the edge answered late (answered in time at the edge, but read late by the generator or left unread in nginx's socket before it: the shared cores, not the origin)`,
  ].join('');
}

/** What only an open loop knows: asked for, sent, its own lag, and the cores each part kept busy. */
function openLoopLine(o: Row, sec: number): string | null {
  const ol = o.openLoop;
  if (!ol) return null;
  const cores = (k: string) => ((o.cpuUsPerAnswer[k] ?? 0) * o.answersPerSec) / 1e6;
  const generator = ol.generatorCpuUs / (sec * 1e6);
  return [
    `    generator (tools/bench/loadgen/open-loop.c): due ${n0(ol.due / sec)}/s, sent ${n0(ol.sent / sec)}/s on ${n0(ol.connections)} connections;`,
    ` sent late by p50 ${(ol.sendLagUs.p50 / 1000).toFixed(1)} ms, p99 ${(ol.sendLagUs.p99 / 1000).toFixed(1)} ms, max ${(ol.sendLagUs.max / 1000).toFixed(0)} ms (its own lag), backlog at most ${n0(ol.backlogMax)};`,
    ` its CPU ${(ol.generatorCpuUs / Math.max(1, ol.sent)).toFixed(1)} µs per request sent. Cores kept busy: generator ${generator.toFixed(2)}, edge ${cores('nginx').toFixed(2)}, origin ${cores('node').toFixed(2)} (sum ${(generator + cores('nginx') + cores('node')).toFixed(2)} of 2)`,
  ].join('');
}

export function renderFrontDoor(res: FrontDoorResult): string {
  const nginx = rowNamed(res, 'nginx'),
    hello = rowNamed(res, 'Fastify');
  const o = res.overload;
  const out = [
    `front door (wrk -t1 -c64 -d${res.durationSec}s --timeout 1s, one process each; CPU from /proc/<pid>/stat of the server processes only)`,
    `  ${pad('what answers', 44)} ${lpad('ans/s', 8)} ${lpad('×nginx', 7)} ${lpad('×hello', 7)} ${lpad('Node µs', 8)} ${lpad('nginx µs', 8)} ${lpad('p99 ms', 8)}  share of requests answered within 1 s, per class`,
    ...res.rows.map((r) => line(r, nginx, hello)),
    `  origin snapshot requests while the edge answered: ${res.originSnapshotPerSec.toFixed(2)}/s`,
    `  join capacity (closed loop, 2xx/s): ${n0(res.joinCapacityPerSec)}; a Node-only budget for 5× would be ${res.budget.why}`,
    `  overload path: ${o.openLoop ? 'open-loop generator' : 'wrk'} → nginx (limit_req ${n0(res.edgeJoinRatePerSec)} joins/s, the rest 429 queue-busy at the edge) → one process (JOIN_BUDGET_PER_SEC ${n0(res.joinCapacityPerSec)})`,
    '',
    `  ${o.name}: offered ${n0(o.offeredPerSec)}/s, answered ${n0(o.answersPerSec)}/s`,
    line(o, nginx, hello),
    ...[openLoopLine(o, res.overloadSec ?? res.durationSec)].filter((l): l is string => l !== null),
    ...(res.overloadEdge ? [edgeLine(res.overloadEdge, o)] : []),
    `    answered within 1 s ${(100 * o.shareWithin1s).toFixed(2)} %; 429 with Retry-After ${o.retryAfterShare === null ? '—' : `${(100 * o.retryAfterShare).toFixed(1)} %`}; 5xx ${o.fiveXx}; timeouts ${o.timeouts}; socket errors ${o.socketErrors}; p50 ${o.latencyMs.p50.toFixed(1)} ms, p99 ${o.latencyMs.p99.toFixed(1)} ms, max ${o.latencyMs.max.toFixed(0)} ms`,
    '',
    '  targets (issue 12)',
    ...res.targets.map(
      (t) =>
        `  ${t.pass === null ? '  —  ' : t.pass ? ' PASS' : ' MISS'}  ${pad(t.name, 72)} ${pad(t.measured, 14)} ${t.target}`,
    ),
  ];
  return out.join('\n');
}
