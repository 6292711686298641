export { planLedgerEntry, splitPayment } from './plan.js';
export { MemoryLedger } from './memory-ledger.js';
export { CREDIT_PER_TRUST, creditLimit, creditRefusal } from './credit-limit.js';
export { rejectionShown } from './refund-rule.js';
export type * from './types.js';
