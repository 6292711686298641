export {
  DEFAULT_HALF_LIFE_MS,
  emptyReputation,
  recordOutcome,
  withdrawOutcome,
  reputationScore,
  effectiveTrust,
} from './reputation.js';
export type { Outcome, Reputation } from './reputation.js';
