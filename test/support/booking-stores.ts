/**
 * The booking store on each engine, with what a test needs to seed it and read back what it
 * wrote: memory (unit tier), PGlite and Postgres (through the Kysely adapter).
 */
import type { PersonRow } from '../../src/people/people.table.ts';
import type { SlotRow } from '../../src/booking/booking.table.ts';
import type { BookingStores } from '../../src/booking/booking.store.ts';
import { kyselyBookingStores } from '../../src/booking/kysely-booking-store.ts';
import { memoryBookingStores } from '../../src/booking/memory-booking-store.ts';
import { findPersonById } from '../../src/people/people.repository.ts';
import { findFacilityById } from '../../src/facilities/facilities.repository.ts';
import type { TestDatabase } from './databases.ts';
import { addDays } from '../../src/platform/calendar.ts';
import { newFacility, newLiveCampaign, newPeople, newSlotPair } from './factories.ts';

export interface BookingStoreHarness {
  stores: BookingStores;
  /** A campaign, a facility and a dose-1/dose-2 slot pair (21 days apart) on `date`. */
  newSlotPair(a: {
    campaignId: string;
    date: string;
    capacity: number;
    dose2Capacity?: number;
    facilityId?: number;
  }): Promise<{ dose1: SlotRow; dose2: SlotRow; dose2Date: string; facilityId: number }>;
  newPeople(n: number, birthDate?: string): Promise<PersonRow[]>;
  /** A facility in a region and district (for alternatives nearby). */
  newFacility(at: { regionCode: string; districtCode: string }): Promise<number>;
  /** The English texts of a booking's outbox messages, oldest first. */
  outboxTextsOf(bookingId: number): Promise<string[]>;
  /** The outbox rows of a booking, oldest first. */
  outboxOf(bookingId: number): Promise<{ kind: string; bookingNumber: string }[]>;
  close(): Promise<void>;
}

const dose2DateOf = (date: string) => addDays(date, 21);

export function memoryHarness(): BookingStoreHarness {
  const stores = memoryBookingStores();
  let personCounter = 0;
  return {
    stores,
    async newSlotPair(a) {
      const facilityId =
        a.facilityId ??
        stores.addFacility({
          code: `F-${a.campaignId}-${a.date}`,
          name_ko: '시험의원',
          name_en: 'Test Clinic',
          region_code: '11',
          district_code: '11010',
          address: '서울',
          kind: 'clinic',
        }).id;
      const dose2Date = dose2DateOf(a.date);
      const common = {
        campaign_id: a.campaignId,
        facility_id: facilityId,
        vaccine_code: 'pfizer',
        rotation_group: null,
      };
      const [dose1, dose2] = stores.addSlots([
        { ...common, date: a.date, dose: 1, capacity: a.capacity },
        { ...common, date: dose2Date, dose: 2, capacity: a.dose2Capacity ?? a.capacity },
      ]);
      return { dose1: dose1!, dose2: dose2!, dose2Date, facilityId };
    },
    async newPeople(n, birthDate = '1968-05-05') {
      return stores.addPeople(
        Array.from({ length: n }, () => ({
          identity_hash: `h-${++personCounter}`,
          birth_date: birthDate,
          name: `시험${personCounter}`,
          phone: '010-0000-0000',
          region_code: '11',
        })),
      );
    },
    async newFacility(at) {
      return stores.addFacility({
        code: `F-${++personCounter}`,
        name_ko: '근처의원',
        name_en: 'Nearby Clinic',
        region_code: at.regionCode,
        district_code: at.districtCode,
        address: '서울',
        kind: 'clinic',
      }).id;
    },
    async outboxTextsOf(bookingId) {
      return stores
        .snapshot()
        .outbox.filter((o) => o.booking_id === bookingId)
        .map((o) => o.payload.text.en);
    },
    async outboxOf(bookingId) {
      return stores
        .snapshot()
        .outbox.filter((o) => o.booking_id === bookingId)
        .map((o) => ({ kind: o.kind, bookingNumber: o.payload.bookingNumber ?? '' }));
    },
    close: async () => {},
  };
}

/**
 * The Kysely store as the service composes it: new bookings written concurrently go out in batches
 * (one booking write at a time, so whatever arrives meanwhile is one batch; at most 8 per batch).
 */
export async function kyselyHarness(open: () => Promise<TestDatabase>): Promise<BookingStoreHarness> {
  const tdb = await open();
  const campaigns = new Set<string>();
  return {
    stores: kyselyBookingStores({
      db: tdb.db,
      findPerson: findPersonById,
      findFacility: findFacilityById,
      batch: { maxSize: 8, maxInFlight: 1 },
    }),
    async newSlotPair(a) {
      if (!campaigns.has(a.campaignId)) {
        await newLiveCampaign(tdb.db, Date.parse(`${a.date}T00:00:00Z`), { id: a.campaignId });
        campaigns.add(a.campaignId);
      }
      const facilityId = a.facilityId ?? (await newFacility(tdb.db)).id;
      const pair = await newSlotPair(tdb.db, {
        campaignId: a.campaignId,
        facilityId,
        date: a.date,
        capacity: a.capacity,
        ...(a.dose2Capacity === undefined ? {} : { dose2Capacity: a.dose2Capacity }),
      });
      return { ...pair, facilityId };
    },
    newPeople: (n, birthDate) => newPeople(tdb.db, n, birthDate),
    async newFacility(at) {
      const f = await newFacility(tdb.db);
      await tdb.db
        .updateTable('facilities')
        .set({ region_code: at.regionCode, district_code: at.districtCode })
        .where('id', '=', f.id)
        .execute();
      return f.id;
    },
    async outboxTextsOf(bookingId) {
      const rows = await tdb.db
        .selectFrom('outbox')
        .select('payload')
        .where('booking_id', '=', bookingId)
        .orderBy('id')
        .execute();
      return rows.map((r) => r.payload.text.en);
    },
    async outboxOf(bookingId) {
      const rows = await tdb.db
        .selectFrom('outbox')
        .select(['kind', 'payload'])
        .where('booking_id', '=', bookingId)
        .orderBy('id')
        .execute();
      return rows.map((r) => ({ kind: r.kind, bookingNumber: r.payload.bookingNumber ?? '' }));
    },
    close: () => tdb.close(),
  };
}
