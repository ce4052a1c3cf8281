/**
 * A self-contained HTML report: uPlot's JS and CSS are inlined from node_modules, the data is an
 * inline JSON block, so the file opens anywhere with no network. One chart per question a reader
 * asks (who arrived, how long the queue was, how fast it drained, what the booking path did, how
 * honest the ETA was, when the seats ran out), then the summary's key numbers and invariants.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

type Col = (number | null)[];
export interface ChartData {
  x: number[];
  arrivals: { first: Col; reload: Col; otherDevice: Col; comeback: Col };
  queue: { waiting: Col; activeSessions: Col; sessionLimit: Col };
  admitted: { advanced: Col; claims: Col; rate: Col };
  bookings: { placed: Col; refused: Col };
  latency: { p50: Col; p95: Col; p99: Col; placeP99: Col; joinP99: Col };
  /** yMax: 1.5 × the longest actual wait; the first ETAs after the opening can be far above (see summary.eta). */
  eta: { at: number[]; predicted: Col; actual: Col; yMax: number };
  slotsLeft: Col;
  wallMs: Col;
}

const require = createRequire(import.meta.url);
const asset = (path: string) => readFileSync(require.resolve(path), 'utf8');

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);
/** JSON that is safe inside a <script> element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

/** Chart definitions: [title, y-axis label, data path in ChartData, series labels, colours, kind]. */
const CHARTS = [
  [
    'Arrivals (join requests per second)',
    'per s',
    'arrivals',
    ['first join', 'reload', 'other device', 'came back'],
    ['#1f77b4', '#ff7f0e', '#d62728', '#2ca02c'],
    'line',
  ],
  [
    'Queue length, active booking sessions and the session limit',
    'people',
    'queue',
    ['waiting (not yet reached)', 'active sessions', 'session limit'],
    ['#1f77b4', '#9467bd', '#7f7f7f'],
    'line',
  ],
  [
    'Admitted per second',
    'per s',
    'admitted',
    ['cursor advanced', 'admissions claimed', 'controller rate'],
    ['#2ca02c', '#17becf', '#7f7f7f'],
    'line',
  ],
  ['Bookings per second', 'per s', 'bookings', ['confirmed', 'refused (slot full, …)'], ['#2ca02c', '#d62728'], 'line'],
  [
    'Booking-path latency (wall clock)',
    'ms',
    'latency',
    ['p50', 'p95', 'p99', 'placeBooking p99', 'join p99'],
    ['#2ca02c', '#ff7f0e', '#d62728', '#8c564b', '#1f77b4'],
    'line',
  ],
  [
    'ETA predicted vs actual wait (sampled people; x = minute the ETA was shown; predictions above 1.5 × the longest actual wait are off the chart, see summary.eta)',
    'minutes',
    'eta',
    ['predicted', 'actual'],
    ['#ff7f0e', '#1f77b4'],
    'points',
  ],
  ['First-dose seats left tonight', 'seats', 'slotsLeft', ['seats left'], ['#8c564b'], 'line'],
  ['Wall-clock ms spent per virtual second (1000 = real time)', 'ms', 'wallMs', ['wall ms'], ['#7f7f7f'], 'line'],
] as const;

export function renderReportHtml(title: string, summary: unknown, data: ChartData): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${asset('uplot/dist/uPlot.min.css')}
body{font:14px/1.45 system-ui,sans-serif;margin:24px;max-width:1240px;color:#222}
h1{font-size:22px} h2{font-size:16px;margin:28px 0 6px} .chart{margin:8px 0 18px}
table{border-collapse:collapse} td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
.ok{color:#1a7f37} .bad{color:#c00;font-weight:bold} pre{background:#f6f8fa;padding:10px;overflow:auto;max-height:480px}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<div id="facts"></div>
<div id="charts"></div>
<h2>Summary (summary.json)</h2><pre id="summary"></pre>
<script type="application/json" id="data">${scriptJson(data)}</script>
<script type="application/json" id="summary-data">${scriptJson(summary)}</script>
<script type="application/json" id="charts-def">${scriptJson(CHARTS)}</script>
<script>${asset('uplot/dist/uPlot.iife.min.js')}</script>
<script>${CLIENT_SCRIPT}</script>
</body></html>
`;
}

/** Runs in the browser: draws the charts and the key facts from the inline JSON. */
const CLIENT_SCRIPT = `
const data = JSON.parse(document.getElementById('data').textContent);
const summary = JSON.parse(document.getElementById('summary-data').textContent);
const defs = JSON.parse(document.getElementById('charts-def').textContent);
document.getElementById('summary').textContent = JSON.stringify(summary, null, 2);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'})[c]);
const facts = [];
const add = (k, v) => facts.push('<tr><th>' + esc(k) + '</th><td>' + esc(v) + '</td></tr>');
const s = summary;
if (s.outcome) add('people who got a slot', s.outcome.peopleWhoGotASlot + ' (' + Math.round((s.outcome.shareOfEligible || 0) * 1000) / 10 + ' % of the eligible)');
if (s.arrivals) add('arrivals (join requests)', s.arrivals.total + ' (record at this scale: ' + s.arrivals.recordedTotalAtThisScale + ')');
if (s.wait) add('wait after opening, median / p95 (s)', s.wait.medianAfterOpeningSec + ' / ' + s.wait.p95AfterOpeningSec);
if (s.eta) add('ETA error, median / p90 absolute (s)', s.eta.medianAbsErrorSec + ' / ' + s.eta.p90AbsErrorSec + ' (' + s.eta.samples + ' samples)');
if (s.fairness) add('Spearman arrival vs position, pre-opening / post-opening', s.fairness.spearmanArrivalVsPositionPreOpening + ' / ' + s.fairness.spearmanArrivalVsPositionPostOpening);
if (s.throughput) add('peak bookings/s, best minute (per s)', s.throughput.peakBookingsPerSec + ', ' + s.throughput.bestMinuteBookingsPerSec);
if (s.wallSeconds) add('wall time (s)', JSON.stringify(s.wallSeconds));
if (s.invariants) for (const c of s.invariants.checks) facts.push('<tr><th>invariant ' + esc(c.name) + '</th><td class="' + (c.ok ? 'ok' : 'bad') + '">' + (c.ok ? 'holds' : 'VIOLATED') + ' ' + esc(JSON.stringify(c.detail)) + '</td></tr>');
const lists = (name, xs) => xs ? '<h2>' + name + '</h2><ul>' + xs.map((x) => '<li>' + esc(x) + '</li>').join('') + '</ul>' : '';
document.getElementById('facts').innerHTML = '<table>' + facts.join('') + '</table>' + lists('Real in this run', s.whatWasReal) + lists('Simulated in this run', s.whatWasSimulated);
const width = Math.min(1200, window.innerWidth - 48);
for (const [title, unit, key, labels, colours, kind] of defs) {
  const block = data[key];
  const columns = key === 'eta' ? [block.at, block.predicted, block.actual] : [data.x, ...(Array.isArray(block) ? [block] : Object.values(block))];
  const div = document.createElement('div');
  div.className = 'chart';
  div.innerHTML = '<h2>' + esc(title) + '</h2>';
  document.getElementById('charts').appendChild(div);
  if (columns[0].length === 0) { div.insertAdjacentHTML('beforeend', '<p>no data</p>'); continue; }
  const series = [{ label: 'minutes from opening' }, ...labels.map((label, i) => ({
    label, stroke: colours[i], spanGaps: true, width: 1.2,
    ...(kind === 'points' ? { paths: () => null, points: { show: true, size: 3, fill: colours[i] } } : { points: { show: false } }),
  }))];
  const scales = { x: { time: false }, ...(key === 'eta' ? { y: { range: [0, block.yMax] } } : {}) };
  new uPlot({ width, height: 260, series, scales, axes: [{ label: 'minutes from opening' }, { label: unit }] }, columns, div);
}
`;
