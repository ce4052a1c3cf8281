import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { placeOfReference, referenceOf } from './queue-reference.ts';

describe('queue reference', () => {
  it('is short, round-trips, and is unique per place', () => {
    const seen = new Set<string>();
    for (let seq = 1; seq <= 3_000; seq += 1)
      for (let partition = 0; partition < 8; partition += 1) {
        const ref = referenceOf({ partition, seq }, 8);
        assert.match(ref, /^[0-9A-HJKMNP-TV-Z]{4,}-[0-9A-HJKMNP-TV-Z*~$=U]$/);
        assert.ok(!seen.has(ref), `duplicate ${ref}`);
        seen.add(ref);
        assert.deepEqual(placeOfReference(ref, 8), { partition, seq });
      }
    assert.equal(referenceOf({ partition: 7, seq: 1_500_000 }, 8).length, 7);
  });

  it('reads what is said on the phone (case, spaces, I/L/O) and refuses a mis-heard symbol', () => {
    const ref = referenceOf({ partition: 3, seq: 12_345 }, 8);
    assert.deepEqual(placeOfReference(` ${ref.toLowerCase().replace('-', ' ')} `, 8), { partition: 3, seq: 12_345 });
    const body = ref.slice(0, -2);
    const wrong = `${body.slice(0, -1)}${body.endsWith('7') ? '8' : '7'}${ref.slice(-2)}`;
    assert.equal(placeOfReference(wrong, 8), null);
    assert.equal(placeOfReference('hello', 8), null);
    assert.equal(placeOfReference('', 8), null);
  });
});
