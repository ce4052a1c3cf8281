import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { epochDayOf, formatLocalDate, localDateOfEpochDay } from '../platform/calendar.ts';
import { makeRrn, parseRrn, rrnCheckDigit, type Sex } from './rrn.ts';

const FC = { seed: 20210809, numRuns: 500 } as const;

const birthDate = fc
  .integer({ min: epochDayOf('1900-01-01'), max: epochDayOf('2099-12-31') })
  .map((day) => formatLocalDate(localDateOfEpochDay(day)));
const sex = fc.constantFrom<Sex>('M', 'F');
const serial = fc.integer({ min: 0, max: 99_999 });

/** Replaces the check digit (last character) of an RRN. */
const withCheckDigit = (rrn: string, digit: number): string => `${rrn.slice(0, -1)}${digit}`;

/** Builds an RRN from its first 12 digits with a correct check digit. */
const valid = (first12: string): string => `${first12}${rrnCheckDigit(first12)}`;

describe('makeRrn', () => {
  it('builds the number digit by digit (hand-computed check digit)', () => {
    // 8·2+3·3+0·4+4·5+1·6+2·7+1·8+7·9+0+0+0+0 = 136; 136 mod 11 = 4; (11 − 4) mod 10 = 7
    assert.equal(makeRrn('1983-04-12', 'M', 70_000), '830412-1700007');
    // 0+3+4+10+18+7+32+0+0+0+4+10 = 88 ≡ 0 (mod 11) → (11 − 0) mod 10 = 1: remainders 0 and 10 share 1
    assert.equal(makeRrn('2001-12-31', 'F', 12), '011231-4000121');
    assert.equal(makeRrn('1999-01-01', 'F', 0, { isForeignResident: true }).slice(7, 8), '6');
    assert.equal(makeRrn('2010-01-01', 'M', 0, { isForeignResident: true }).slice(7, 8), '7');
  });

  it('refuses what it cannot encode', () => {
    assert.throws(() => makeRrn('1899-12-31', 'M', 1), RangeError);
    assert.throws(() => makeRrn('2100-01-01', 'M', 1), RangeError);
    assert.throws(() => makeRrn('1980-02-30', 'M', 1), RangeError);
    assert.throws(() => makeRrn('1980-01-01', 'M', 100_000), RangeError);
    assert.throws(() => makeRrn('1980-01-01', 'M', -1), RangeError);
  });
});

describe('parseRrn', () => {
  it('round-trips every makeRrn output, with or without the hyphen', () => {
    fc.assert(
      fc.property(birthDate, sex, serial, fc.boolean(), (date, s, n, isForeignResident) => {
        const rrn = makeRrn(date, s, n, { isForeignResident });
        const expected = { birthDate: date, sex: s, isForeignResident, normalized: rrn.replace('-', '') };
        assert.deepEqual(parseRrn(rrn), { ok: true, value: expected });
        assert.deepEqual(parseRrn(rrn.replace('-', '')), { ok: true, value: expected });
      }),
      FC,
    );
  });

  it('rejects every wrong check digit as bad-checksum, and skip accepts it', () => {
    fc.assert(
      fc.property(birthDate, sex, serial, fc.integer({ min: 1, max: 9 }), (date, s, n, shift) => {
        const rrn = makeRrn(date, s, n);
        const wrong = withCheckDigit(rrn, (Number(rrn.slice(-1)) + shift) % 10);
        assert.deepEqual(parseRrn(wrong), { ok: false, reason: 'bad-checksum' });
        assert.equal(parseRrn(wrong, { checksum: 'skip' }).ok, true);
      }),
      FC,
    );
  });

  it('reads the century and sex from G', () => {
    const cases: Array<[string, string, Sex, boolean]> = [
      ['1', '1985-07-15', 'M', false],
      ['2', '1985-07-15', 'F', false],
      ['3', '2085-07-15', 'M', false],
      ['4', '2085-07-15', 'F', false],
      ['5', '1985-07-15', 'M', true],
      ['6', '1985-07-15', 'F', true],
      ['7', '2085-07-15', 'M', true],
      ['8', '2085-07-15', 'F', true],
    ];
    for (const [g, date, s, foreign] of cases) {
      const r = parseRrn(valid(`850715${g}12345`));
      assert.ok(r.ok, `G=${g}`);
      assert.deepEqual([r.value.birthDate, r.value.sex, r.value.isForeignResident], [date, s, foreign]);
    }
  });

  it('accepts 29 February only in leap years of the century G names', () => {
    assert.equal(parseRrn(valid('000229312345')).ok, true); // 2000: leap
    assert.deepEqual(parseRrn(valid('000229112345')), { ok: false, reason: 'bad-date' }); // 1900: not leap
    assert.equal(parseRrn(valid('840229112345')).ok, true);
    assert.deepEqual(parseRrn(valid('850229112345')), { ok: false, reason: 'bad-date' });
  });

  it('rejects impossible dates as bad-date before looking at the check digit', () => {
    for (const yymmdd of ['851301', '850001', '850100', '850132', '850431', '850631', '850230']) {
      assert.deepEqual(parseRrn(`${yymmdd}-1234567`), { ok: false, reason: 'bad-date' }, yymmdd);
    }
  });

  it('rejects malformed input', () => {
    const inputs = [
      '',
      '850715-123456',
      '850715-12345678',
      '85071-51234567',
      '850715--1234567',
      '850715 1234567',
      ' 8507151234567',
      '8507151234567 ',
      '85O715-1234567',
      '８５０７１５-１２３４５６７',
      '850715_1234567',
      valid('850715012345'),
      valid('850715912345'), // G 0/9: 1800s, no one alive
    ];
    for (const input of inputs)
      assert.deepEqual(parseRrn(input), { ok: false, reason: 'malformed' }, JSON.stringify(input));
  });

  it('never echoes the number in a rejection', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{6}-?\d{7}$/), (input) => {
        const r = parseRrn(input);
        if (!r.ok) {
          assert.deepEqual(Object.keys(r).sort(), ['ok', 'reason']);
          assert.ok(!JSON.stringify(r).includes(input.slice(7, 13)));
        }
      }),
      FC,
    );
  });
});
