import { pgliteForTest, postgresForTest } from '../../test/support/databases.ts';
import { kyselyHarness } from '../../test/support/booking-stores.ts';
import { bookingRepositoryContract, bookingStoreContract } from '../../test/contracts/booking-repository.contract.ts';

bookingStoreContract('PGlite', () => kyselyHarness(pgliteForTest));
bookingStoreContract('Postgres', () => kyselyHarness(async () => (await postgresForTest(undefined))!));
bookingRepositoryContract('PGlite', pgliteForTest);
bookingRepositoryContract('Postgres', async () => (await postgresForTest(undefined))!);
