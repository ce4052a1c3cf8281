import { pgliteForTest, postgresForTest } from '../../test/support/databases.ts';
import { kyselyHarness } from '../../test/support/booking-stores.ts';
import { bookingRepositoryContract, bookingStoreContract } from '../../test/contracts/booking-repository.contract.ts';

bookingStoreContract('PGlite', () => kyselyHarness(pgliteForTest));
bookingStoreContract('Postgres', () => kyselyHarness(async () => (await postgresForTest(undefined))!));
// New bookings written together (migrations/0009_place_bookings_batch.sql): one batch at the
// database at a time, so writes sent together group behind the first.
const batched = { maxBatch: 32, maxInFlight: 1 };
bookingStoreContract('PGlite, batched writes', () => kyselyHarness(pgliteForTest, batched));
bookingStoreContract('Postgres, batched writes', () =>
  kyselyHarness(async () => (await postgresForTest(undefined))!, batched),
);
bookingRepositoryContract('PGlite', pgliteForTest);
bookingRepositoryContract('Postgres', async () => (await postgresForTest(undefined))!);
