import { pgliteForTest, postgresForTest } from '../../test/support/databases.ts';
import { bookingRepositoryContract } from '../../test/contracts/booking-repository.contract.ts';

bookingRepositoryContract('PGlite', pgliteForTest);
bookingRepositoryContract('Postgres', async () => (await postgresForTest(undefined))!);
