export {
  DEFAULT_HALF_LIFE_MS,
  OUTCOME_WEIGHTS,
  emptyReputation,
  recordOutcome,
  reputationScore,
  effectiveTrust,
} from './reputation.js';
export type { Outcome, Reputation } from './reputation.js';
