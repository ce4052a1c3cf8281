import { createMemoryTurnNoticeStore } from './turn-notice.memory-store.ts';
import { turnNoticeStoreContract } from '../../test/contracts/turn-notice-store.contract.ts';

turnNoticeStoreContract('memory', async () => ({ store: createMemoryTurnNoticeStore(), cleanup: async () => {} }));
