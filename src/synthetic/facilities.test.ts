import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { generateFacilities, generateSlots, splitQuota, type Facility, type Slot } from './facilities.ts';
import { PROVINCES } from '../facilities/regions.ts';

const ALL_DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const facilitiesOf = (count: number, seed = 719): Facility[] => [...generateFacilities({ count, seed })];

describe('generateFacilities', () => {
  const facilities = facilitiesOf(10_000);

  it('yields exactly `count` facilities with unique codes', () => {
    assert.equal(facilities.length, 10_000);
    assert.equal(new Set(facilities.map((f) => f.code)).size, 10_000);
    assert.equal(facilitiesOf(1).length, 1);
    assert.equal(facilitiesOf(0).length, 0);
  });

  it('represents every province within one facility of count × population share', () => {
    for (const p of PROVINCES) {
      const n = facilities.filter((f) => f.regionCode === p.code).length;
      assert.ok(Math.abs(n - 10_000 * p.populationShare) < 1, `${p.code}: ${n} vs ${10_000 * p.populationShare}`);
    }
  });

  it('gives every district exactly one public health centre', () => {
    const centres = facilities.filter((f) => f.kind === 'public-health-center');
    assert.equal(centres.length, 229);
    assert.equal(new Set(centres.map((f) => f.districtCode)).size, 229);
    assert.equal(centres.find((f) => f.districtCode === 'KR-11-01')?.name.ko, '종로구보건소');
  });

  it('mixes clinics, hospitals and vaccination centres about 86 : 12 : 2', () => {
    const rest = facilities.filter((f) => f.kind !== 'public-health-center');
    const share = (kind: string) => rest.filter((f) => f.kind === kind).length / rest.length;
    assert.ok(Math.abs(share('clinic') - 0.86) < 0.015, `clinic ${share('clinic')}`);
    assert.ok(Math.abs(share('hospital') - 0.12) < 0.015, `hospital ${share('hospital')}`);
    assert.ok(Math.abs(share('vaccination-center') - 0.02) < 0.006, `centre ${share('vaccination-center')}`);
  });

  it('addresses each facility in its own province and district', () => {
    for (const f of facilities) {
      const province = PROVINCES.find((p) => p.code === f.regionCode);
      const district = province?.districts.find((d) => d.code === f.districtCode);
      assert.ok(province && district, f.code);
      assert.ok(f.address.startsWith(province.ko), f.address);
      if (province.districts.length > 1) assert.ok(f.address.startsWith(`${province.ko} ${district.ko} `), f.address);
      assert.ok(f.name.ko.length > 0 && f.name.en.length > 0);
    }
  });

  it('gives every facility the same address in English: number, romanised road, district, province; no Hangul', () => {
    for (const f of facilities) {
      const province = PROVINCES.find((p) => p.code === f.regionCode)!;
      const district = province.districts.find((d) => d.code === f.districtCode)!;
      assert.doesNotMatch(f.addressEn, /[\uac00-\ud7a3]/, f.addressEn);
      const [number, road] = f.addressEn.split(', ');
      assert.equal(f.address.split(' ').at(-1), number, `${f.address} / ${f.addressEn}`);
      assert.match(road!, /^[A-Z][a-z]+-(ro|gil)( \d+beon-gil)?$/, f.addressEn);
      assert.equal(/\d+번길/.test(f.address), /beon-gil/.test(road!), `${f.address} / ${f.addressEn}`);
      const place = province.districts.length > 1 ? `${district.en}, ${province.en}` : province.en;
      assert.ok(f.addressEn.endsWith(`, ${place}`), f.addressEn);
    }
  });

  it('is deterministic for a seed; another seed renames but keeps the allocation', () => {
    assert.deepEqual(facilitiesOf(10_000), facilities);
    const other = facilitiesOf(10_000, 720);
    assert.deepEqual(
      other.map((f) => f.districtCode),
      facilities.map((f) => f.districtCode),
    );
    assert.notDeepEqual(
      other.map((f) => f.address),
      facilities.map((f) => f.address),
    );
  });

  it('stays exact when the count is below the number of districts', () => {
    const few = facilitiesOf(100);
    assert.equal(few.length, 100);
    assert.ok(few.every((f) => f.kind === 'public-health-center'));
  });
});

describe('splitQuota', () => {
  it('gives the remainder to the lowest digits', () => {
    assert.deepEqual(
      splitQuota(25, ALL_DIGITS).map((q) => q.capacity),
      [3, 3, 3, 3, 3, 2, 2, 2, 2, 2],
    );
    assert.deepEqual(splitQuota(7, [9, 0, 1]), [
      { rotationGroup: 0, capacity: 3 },
      { rotationGroup: 1, capacity: 2 },
      { rotationGroup: 9, capacity: 2 },
    ]);
    assert.deepEqual(
      splitQuota(3, ALL_DIGITS).map((q) => q.capacity),
      [1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
    );
  });

  it('always sums to the capacity, differs by at most one, and never favours a higher digit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 10 }),
        (capacity, groups) => {
          const quotas = splitQuota(capacity, groups).map((q) => q.capacity);
          assert.equal(
            quotas.reduce((a, b) => a + b, 0),
            capacity,
          );
          assert.ok(Math.max(...quotas) - Math.min(...quotas) <= 1);
          quotas.forEach((q, i) => assert.ok(i === 0 || q <= (quotas[i - 1] ?? 0)));
        },
      ),
      { seed: 42, numRuns: 500 },
    );
  });

  it('refuses groups that are not distinct digits', () => {
    assert.throws(() => splitQuota(10, []), RangeError);
    assert.throws(() => splitQuota(10, [1, 1]), RangeError);
    assert.throws(() => splitQuota(10, [10]), RangeError);
    assert.throws(() => splitQuota(-1, [1]), RangeError);
  });
});

describe('generateSlots', () => {
  const facilities = facilitiesOf(50, 3);
  const dates = ['2021-08-26', '2021-08-27', '2021-08-28'];
  const slotsOf = (extra: Partial<Parameters<typeof generateSlots>[0]> = {}): Slot[] => [
    ...generateSlots({ facilities, dates, vaccines: ['pfizer', 'moderna'], capacityPerDay: 25, seed: 1, ...extra }),
  ];

  it('emits one unsplit dose-1 row per facility, date and vaccine without quotas', () => {
    const slots = slotsOf();
    assert.equal(slots.length, 50 * 3 * 2);
    assert.ok(slots.every((s) => s.rotationGroup === null && s.capacity === 25 && s.dose === 1));
  });

  it('splits each facility-day capacity into ten rotation quotas that sum back to it', () => {
    const slots = slotsOf({ rotationQuotaGroups: ALL_DIGITS, capacityJitter: 0.5 });
    assert.equal(slots.length, 50 * 3 * 2 * 10);
    const unsplit = slotsOf({ capacityJitter: 0.5 });
    const totals = new Map<string, number>();
    for (const s of slots) {
      const key = `${s.facilityCode}/${s.date}/${s.vaccineCode}`;
      totals.set(key, (totals.get(key) ?? 0) + s.capacity);
    }
    for (const s of unsplit) assert.equal(totals.get(`${s.facilityCode}/${s.date}/${s.vaccineCode}`), s.capacity);
  });

  it('holds a dose-2 seat for every dose-1 seat, interval days later, unsplit', () => {
    const slots = slotsOf({ rotationQuotaGroups: ALL_DIGITS, doseIntervalDays: 21, capacityJitter: 0.3 });
    const dose1 = slots.filter((s) => s.dose === 1);
    const dose2 = slots.filter((s) => s.dose === 2);
    assert.equal(dose2.length, 50 * 3 * 2);
    assert.deepEqual([...new Set(dose2.map((s) => s.date))].sort(), ['2021-09-16', '2021-09-17', '2021-09-18']);
    assert.ok(dose2.every((s) => s.rotationGroup === null));
    assert.equal(
      dose2.reduce((a, s) => a + s.capacity, 0),
      dose1.reduce((a, s) => a + s.capacity, 0),
    );
  });

  it('jitters capacity deterministically within the bound', () => {
    const a = slotsOf({ capacityJitter: 0.2 });
    assert.deepEqual(slotsOf({ capacityJitter: 0.2 }), a);
    assert.ok(a.every((s) => s.capacity >= 20 && s.capacity <= 30));
    assert.ok(new Set(a.map((s) => s.capacity)).size > 5);
  });

  it('takes capacity from a function of facility, date and vaccine', () => {
    const slots = slotsOf({
      capacityPerDay: (f, _date, vaccine) =>
        (f.kind === 'public-health-center' ? 100 : 10) + (vaccine === 'pfizer' ? 1 : 0),
    });
    const centre = slots.find((s) => s.facilityCode.endsWith('-0001') && s.vaccineCode === 'pfizer');
    assert.equal(centre?.capacity, 101);
  });

  it('refuses bad options before emitting anything', () => {
    assert.throws(() => slotsOf({ rotationQuotaGroups: [1, 1] }), RangeError);
    assert.throws(() => slotsOf({ capacityPerDay: 2.5 }), RangeError);
    assert.throws(() => slotsOf({ doseIntervalDays: 0 }), RangeError);
    assert.throws(() => slotsOf({ capacityJitter: 2 }), RangeError);
  });
});
