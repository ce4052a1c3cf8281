import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planSlots } from './slot-plan.ts';

describe('planSlots', () => {
  it('reserves one dose-2 row per facility-day holding the sum of its quota groups, interval days later', () => {
    const rows = planSlots('c', [
      { facilityId: 1, date: '2021-08-30', vaccineCode: 'moderna', capacity: 3, rotationGroup: 0 },
      { facilityId: 1, date: '2021-08-30', vaccineCode: 'moderna', capacity: 2, rotationGroup: 1 },
      { facilityId: 2, date: '2021-08-31', vaccineCode: 'moderna', capacity: 4, rotationGroup: null },
    ], 42);
    const dose2 = rows.filter((r) => r.dose === 2);
    assert.deepEqual(dose2.map((r) => [r.facility_id, r.date, r.capacity, r.rotation_group]), [[1, '2021-10-11', 5, null], [2, '2021-10-12', 4, null]]);
    assert.equal(rows.filter((r) => r.dose === 1).length, 3);
  });
});
