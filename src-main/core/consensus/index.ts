export { quorumFor, decideConsensus } from './decide.js';
export type { Vote, Comparator } from './votes.js';
