export { quorumFor, decideConsensus } from './decide.js';
export type { ConsensusInput, ConsensusOutcome, ConsensusDecision, FailureReason } from './decide.js';
export { sameHash } from './votes.js';
export type { Vote, Comparator } from './votes.js';
