import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeEdgeLog } from './edge-log.ts';

describe('edge log summary', () => {
  it('counts answers within 1 s, late answers, client give-ups, 5xx, the edge’s own answers and slow origins', () => {
    const log = [
      '1000.100 200 0.004 0.004',
      '1000.200 429 0.000 -',
      '1000.300 200 1.250 1.249',
      '1000.400 499 1.001 -',
      '1000.500 502 0.010 0.002, 0.008',
      '1000.600 200 1.100 0.010',
      'garbage',
      '',
    ].join('\n');
    assert.deepEqual(summarizeEdgeLog(log), {
      requests: 6,
      answeredWithin1s: 3,
      answeredLate: 2,
      clientClosed: 1,
      fiveXx: 1,
      byEdge: 2,
      originOver1s: 1,
      originMaxSec: 1.249,
    });
  });
});
