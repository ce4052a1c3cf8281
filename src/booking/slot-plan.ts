/**
 * Turns dose-1 capacity into the slot rows to store: each dose-1 row as given, plus one dose-2
 * row per facility x dose-1 date x vaccine at date + interval holding the whole day's dose-1
 * capacity (quota groups summed), so every dose-1 seat has its dose-2 seat reserved up front.
 */
import { addDays, formatLocalDate, parseLocalDate } from '../eligibility/seoul-time.ts';

export interface Dose1Capacity {
  facilityId: number;
  date: string;
  vaccineCode: string;
  capacity: number;
  rotationGroup: number | null;
}

export interface PlannedSlot {
  campaign_id: string;
  facility_id: number;
  date: string;
  vaccine_code: string;
  dose: 1 | 2;
  rotation_group: number | null;
  capacity: number;
}

export function planSlots(campaignId: string, dose1: Iterable<Dose1Capacity>, doseIntervalDays: number): PlannedSlot[] {
  const rows: PlannedSlot[] = [];
  const dose2 = new Map<string, PlannedSlot>();
  for (const s of dose1) {
    rows.push({ campaign_id: campaignId, facility_id: s.facilityId, date: s.date, vaccine_code: s.vaccineCode, dose: 1, rotation_group: s.rotationGroup, capacity: s.capacity });
    const date2 = formatLocalDate(addDays(parseLocalDate(s.date)!, doseIntervalDays));
    const key = `${s.facilityId}|${date2}|${s.vaccineCode}`;
    const existing = dose2.get(key);
    if (existing) existing.capacity += s.capacity;
    else dose2.set(key, { campaign_id: campaignId, facility_id: s.facilityId, date: date2, vaccine_code: s.vaccineCode, dose: 2, rotation_group: null, capacity: s.capacity });
  }
  return [...rows, ...dose2.values()];
}
