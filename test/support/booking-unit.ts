/**
 * The booking service as the unit tier builds it: on the in-memory store, a fixed clock, the demo
 * campaign's rules (open from an hour before NOW for 30 days, born 1940-2007, Pfizer, 21 days) and
 * the real identity service for proxy resolution.
 */
import { fixedClock } from '../../src/platform/clock.ts';
import { createTokenSigner } from '../../src/platform/signing.ts';
import { demoCampaign } from '../../src/eligibility/seed-campaigns.ts';
import type { CampaignRules } from '../../src/eligibility/rules.ts';
import { createIdentityService, type SessionClaims } from '../../src/identity/identity.service.ts';
import { identityHashOf } from '../../src/identity/identity-hash.ts';
import { makeRrn } from '../../src/people/rrn.ts';
import { memoryBookingStores, type MemoryBookingStores } from '../../src/booking/memory-booking-store.ts';
import { createBookingService, type BookingServiceDeps } from '../../src/booking/booking.service.ts';
import type { SlotRow } from '../../src/booking/booking.table.ts';
import { DAY_MS } from '../../src/platform/calendar.ts';
import { dateAfter } from './factories.ts';

export const UNIT_NOW = Date.parse('2026-03-02T03:00:00Z');
const HMAC_KEY = 'unit-identity-hmac-key-0123456789abcdef';

export function bookingUnit(
  o: { campaigns?: Partial<CampaignRules>[]; store?: (s: MemoryBookingStores) => BookingServiceDeps['store'] } = {},
) {
  const clock = fixedClock(UNIT_NOW);
  const stores = memoryBookingStores();
  const campaigns = new Map<string, CampaignRules>();
  for (const c of [{}, ...(o.campaigns ?? [])]) {
    const rules = { ...demoCampaign(UNIT_NOW, { opensInMs: -3_600_000 }), ...c } as CampaignRules;
    campaigns.set(rules.id, rules);
  }
  const identity = createIdentityService({
    clock,
    hmacKey: HMAC_KEY,
    providers: [],
    sessionTtlMs: 60_000,
    sessions: createTokenSigner<SessionClaims>('unit-signing-secret-0123456789abcdefghij', 'identity-session', clock),
    findPerson: async (h) => [...stores.snapshot().people.values()].find((p) => p.identity_hash === h),
  });
  let numbers = 0;
  const service = createBookingService({
    clock,
    store: o.store ? o.store(stores) : stores,
    liveCampaign: async (id) => {
      const rules = campaigns.get(id);
      return rules && { rules, version: rules.version };
    },
    resolveProxyTarget: identity.resolveProxyTarget,
    newBookingNumber: () => `UNIT-${String(++numbers).padStart(4, '0')}-0000`,
  });
  const facility = stores.addFacility({
    code: 'F-UNIT',
    name_ko: '시험의원',
    name_en: 'Test Clinic',
    region_code: '11',
    district_code: '11010',
    address: '서울',
    kind: 'clinic',
  });

  /** A registered person; `rrn` is what a proxy types for them. */
  function person(birthDate = '1968-05-05', name = `시험${stores.snapshot().people.size + 1}`) {
    const rrn = makeRrn(birthDate, 'F', 1000 + stores.snapshot().people.size);
    const [row] = stores.addPeople([
      {
        identity_hash: identityHashOf(HMAC_KEY, rrn.replace('-', '')),
        birth_date: birthDate,
        name,
        phone: '010-0000-0000',
        region_code: '11',
      },
    ]);
    return { ...row!, rrn };
  }

  /** A dose-1 slot `day` days after NOW and its dose-2 slot 21 days later. */
  function slotPair(
    o: {
      campaignId?: string;
      day?: number;
      capacity?: number;
      dose2Capacity?: number;
      vaccine?: string;
      rotationGroup?: number | null;
    } = {},
  ): { dose1: SlotRow; dose2: SlotRow } {
    const date = dateAfter(UNIT_NOW, o.day ?? 5);
    const dose2Date = dateAfter(UNIT_NOW + 21 * DAY_MS, o.day ?? 5);
    const common = {
      campaign_id: o.campaignId ?? 'demo',
      facility_id: facility.id,
      vaccine_code: o.vaccine ?? 'pfizer',
    };
    const [dose1, dose2] = stores.addSlots([
      { ...common, date, dose: 1, rotation_group: o.rotationGroup ?? null, capacity: o.capacity ?? 10 },
      { ...common, date: dose2Date, dose: 2, rotation_group: null, capacity: o.dose2Capacity ?? o.capacity ?? 10 },
    ]);
    return { dose1: dose1!, dose2: dose2! };
  }

  return { clock, stores, service, person, slotPair, facility };
}
