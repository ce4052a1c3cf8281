import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { districtByCode, provinceByCode, provinceCodeOfDistrict, PROVINCES } from './regions.ts';

const EXPECTED_DISTRICT_COUNTS: Record<string, number> = {
  서울특별시: 25,
  부산광역시: 16,
  대구광역시: 9,
  인천광역시: 10,
  광주광역시: 5,
  대전광역시: 5,
  울산광역시: 5,
  세종특별자치시: 1,
  경기도: 31,
  강원특별자치도: 18,
  충청북도: 11,
  충청남도: 15,
  전북특별자치도: 14,
  전라남도: 22,
  경상북도: 22,
  경상남도: 18,
  제주특별자치도: 2,
};

describe('PROVINCES', () => {
  it('lists the 17 first-level divisions with unique codes', () => {
    assert.deepEqual(
      PROVINCES.map((p) => p.ko),
      Object.keys(EXPECTED_DISTRICT_COUNTS),
    );
    assert.equal(new Set(PROVINCES.map((p) => p.code)).size, 17);
    assert.equal(provinceByCode('KR-11')?.en, 'Seoul');
    assert.equal(provinceByCode('KR-50')?.ko, '세종특별자치시');
  });

  it('has end-2021 populations summing to the national 51,638,809 and shares summing to 1', () => {
    assert.equal(
      PROVINCES.reduce((s, p) => s + p.population2021, 0),
      51_638_809,
    );
    assert.ok(Math.abs(PROVINCES.reduce((s, p) => s + p.populationShare, 0) - 1) < 1e-12);
    assert.ok(Math.abs((provinceByCode('KR-41')?.populationShare ?? 0) - 0.2627) < 1e-4); // Gyeonggi
  });

  it("lists each province's real districts: 229 in all (69 구, 82 군, 78 시)", () => {
    for (const p of PROVINCES) assert.equal(p.districts.length, EXPECTED_DISTRICT_COUNTS[p.ko], p.ko);
    const all = PROVINCES.flatMap((p) => p.districts);
    assert.equal(all.length, 229);
    const kinds = (k: string) => all.filter((d) => d.kind === k).length;
    assert.deepEqual([kinds('gu'), kinds('gun'), kinds('si')], [69, 82, 78]);
  });

  it('makes every district unique: by code, and by name within its province', () => {
    const all = PROVINCES.flatMap((p) => p.districts.map((d) => ({ ...d, province: p.code })));
    assert.equal(new Set(all.map((d) => d.code)).size, 229);
    assert.equal(new Set(all.map((d) => `${d.province}/${d.ko}`)).size, 229);
    assert.equal(new Set(all.map((d) => `${d.province}/${d.en}`)).size, 229);
  });

  it('romanizes with the suffix that matches the kind', () => {
    const suffix = { gu: '-gu', gun: '-gun', si: '-si' } as const;
    for (const d of PROVINCES.flatMap((p) => p.districts)) {
      assert.ok(d.en.endsWith(suffix[d.kind]), `${d.ko} → ${d.en}`);
      assert.match(d.en, /^[A-Z][a-z]+(?:[a-z]*)-(gu|gun|si)$/);
    }
  });

  it('resolves district codes both ways', () => {
    assert.equal(districtByCode('KR-11-01')?.ko, '종로구');
    assert.equal(districtByCode('KR-27-09')?.ko, '군위군');
    assert.equal(provinceCodeOfDistrict('KR-11-01'), 'KR-11');
    assert.equal(districtByCode('KR-11-26'), undefined);
  });
});
