import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePgbench, parseRedisBenchmarkCsv, parseWaitingRoomBench } from './parse.ts';

const PGBENCH = `pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: /tmp/booking.sql
scaling factor: 1
query mode: simple
number of clients: 8
number of threads: 2
maximum number of tries: 1
duration: 10 s
number of transactions actually processed: 55012
number of failed transactions: 0 (0.000%)
latency average = 1.453 ms
initial connection time = 12.385 ms
tps = 5502.917 (without initial connection time)
`;

describe('parsePgbench', () => {
  it('reads tps, latency, counts and mode', () => {
    assert.deepEqual(parsePgbench(PGBENCH), {
      tps: 5502.917,
      latencyAvgMs: 1.453,
      transactions: 55012,
      failed: 0,
      clients: 8,
      queryMode: 'simple',
    });
  });
  it('fails loudly on output without a tps line', () => {
    assert.throws(() => parsePgbench('pgbench: error: connection refused'), /no tps/);
  });
});

describe('parseRedisBenchmarkCsv', () => {
  it('reads one row per test, even with commas and quotes in the test name', () => {
    const out = `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"EVALSHA abc 4 {wr:x:bench:0}:meta f:__rand_int__","98765.43","0.5","0.1","0.447","0.9","1.2","5"
"GET {wr:x:get}:__rand_int__","120000.00","0.2","0.03","0.2","0.3","0.6","2"
`;
    const rows = parseRedisBenchmarkCsv(out);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[0], {
      test: 'EVALSHA abc 4 {wr:x:bench:0}:meta f:__rand_int__',
      rps: 98765.43,
      p50Ms: 0.447,
      p99Ms: 1.2,
    });
    assert.equal(rows[1]!.rps, 120000);
  });
  it('fails loudly when there is no CSV', () => {
    assert.throws(() => parseRedisBenchmarkCsv('Could not connect to Redis at 127.0.0.1:6379'), /no CSV/);
  });
});

describe('parseWaitingRoomBench', () => {
  it('reads the summary lines, with thousands separators', () => {
    const out = `people joined:            300,000 (concurrency 256)
join ops/s (one process): 31,245
poll answers/s (1 core):  187,002 (no Redis calls)
redis used_memory delta:  29.8 MiB = 104 bytes/person
people hash MEMORY USAGE: 27.5 MiB = 96 bytes/person
`;
    assert.deepEqual(parseWaitingRoomBench(out), {
      people: 300000,
      joinPerSec: 31245,
      pollPerSec: 187002,
      bytesPerPerson: 104,
    });
  });
  it('fails loudly when a line is missing', () => {
    assert.throws(() => parseWaitingRoomBench('people joined: 5'), /join rate/);
  });
});
