import { createMemoryStore } from './memory-store.ts';
import { storeContract } from '../../test/contracts/waiting-room-store.contract.ts';

storeContract('memory', async () => ({ store: createMemoryStore(), cleanup: async () => {} }));
