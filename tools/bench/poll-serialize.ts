/**
 * `npx tsx tools/bench/poll-serialize.ts`: the poll answer written by its response schema
 * (fast-json-stringify, what the route now does) against JSON.stringify (what it did before the
 * schema), on the three states a poll returns. One process, no I/O: the cost per answer only.
 */
import { deepStrictEqual } from 'node:assert/strict';
import fastJson from 'fast-json-stringify';
import { PolledSchema } from '../../src/waiting-room/waiting-room.schemas.ts';

const ticket = 'v1.'.padEnd(180, 'x');
const samples = [
  {
    ticket,
    state: 'waiting',
    position: 48_211,
    ahead: 48_210,
    behind: 120_333,
    isEstimate: false,
    eta: { seconds: 482, lowSeconds: 420, highSeconds: 560 },
    progress: null,
    nextPollMs: 4_000,
  },
  {
    ticket,
    state: 'pre-opening',
    opensAt: '2026-03-02T11:00:00.000Z',
    preRoomSize: 812_001,
    position: null,
    ahead: null,
    behind: null,
    eta: null,
    progress: null,
    nextPollMs: 10_000,
  },
  {
    ticket,
    state: 'admitted',
    position: 0,
    ahead: 0,
    behind: null,
    eta: null,
    progress: 1,
    nextPollMs: null,
    admission: { token: 'a'.repeat(200), expiresAt: '2026-03-02T11:10:00.000Z' },
  },
];
const bySchema = fastJson(PolledSchema as object);
// The schema must keep every field (member order may differ).
for (const s of samples) deepStrictEqual(JSON.parse(bySchema(s)), s);

function perSecond(label: string, fn: (v: unknown) => string) {
  const N = 300_000;
  for (let i = 0; i < 50_000; i++) fn(samples[i % 3]);
  const t = performance.now();
  let bytes = 0;
  for (let i = 0; i < N; i++) bytes += fn(samples[i % 3]).length;
  const ms = performance.now() - t;
  console.log(
    `${label.padEnd(22)} ${Math.round(N / (ms / 1000)).toLocaleString('en')} answers/s (${((ms * 1000) / N).toFixed(2)} µs each, ${bytes} bytes)`,
  );
}
for (let round = 0; round < 3; round++) {
  perSecond('JSON.stringify', JSON.stringify);
  perSecond('fast-json-stringify', bySchema);
}
