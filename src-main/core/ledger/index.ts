export { planLedgerEntries, planLedgerEntry, type BatchPlan } from './plan.js';
export {
  verifierRewards,
  WORKER_SHARE_BPS,
  workerPart,
  type PaidResult,
  type Reward,
  type RewardSplit,
} from './shares.js';
export { MemoryLedger } from './memory-ledger.js';
export { formatCredits, formatUnitCredits } from './credits.js';
export { CREDIT_PER_TRUST, creditLimit, creditRefusal } from './credit-limit.js';
export { rejectionShown } from './refund-rule.js';
export type * from './types.js';
export { FUEL_CAP_HEADROOM, fuelCharge, settlePrice } from './metered.js';
