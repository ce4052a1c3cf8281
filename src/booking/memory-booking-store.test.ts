import { memoryHarness } from '../../test/support/booking-stores.ts';
import { bookingStoreContract } from '../../test/contracts/booking-repository.contract.ts';

bookingStoreContract('memory', async () => memoryHarness());
