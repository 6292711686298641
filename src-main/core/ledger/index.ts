export { planLedgerEntry, splitPayment } from './plan.js';
export { MemoryLedger } from './memory-ledger.js';
export type * from './types.js';
