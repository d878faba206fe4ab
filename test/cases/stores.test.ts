import { MemoryCaseStore } from '../../src/cases/store/memory-store';
import { caseStoreContract } from './store-contract';

caseStoreContract('memory', async () => {
  const store = new MemoryCaseStore();
  await store.init();
  return store;
});
