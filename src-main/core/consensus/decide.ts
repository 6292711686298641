// Consensus over the redundant results of ONE unit: is a result verified, should we wait, ask for
// more replicas, or give up? Pure: the same votes always give the same decision, in any order.
import { clusterVotes, onePerPeer, sameHash, sortVotes, type Comparator, type Vote } from './votes.js';

/**
 * Results that must agree: more than `agreement` of them (a circle's policy sets it; by default a
 * strict majority: 1 of 1, 2 of 2, 2 of 3, 3 of 4…), and never more than were asked for.
 */
export function quorumFor(redundancy: number, agreement = 0.5): number {
  return Math.min(redundancy, Math.floor(redundancy * agreement) + 1);
}

export interface ConsensusInput {
  /** Results the unit asked for (its verification redundancy). */
  redundancy: number;
  votes: readonly Vote[];
  /** The most results the unit may ever ask for, extra replicas included. */
  maxReplicas: number;
  /**
   * Results asked for so far and still expected or received (defaults to `redundancy`). Lets the
   * decision count results in flight, so a conflict asks only for replicas not already coming.
   */
  requested?: number;
  /** Tolerance check for units that are not bit-exact (GPU); exact hash equality by default. */
  comparator?: Comparator;
  /**
   * Results that failed a check of their own (a GPU tile that failed its CPU spot-check): they
   * count as cast, towards `maxReplicas`, and dissent, but never agree with anything.
   */
  rejected?: ReadonlySet<string>;
  /** The part of the results that must agree, over a half (a circle's policy's); a strict majority by default. */
  agreement?: number;
}

type FailureReason =
  /** Even if every further result agreed, no quorum could form within `maxReplicas`. */
  | 'replicas_exhausted'
  /** Two disagreeing clusters both reached the quorum: more votes cannot settle it. */
  | 'competing_quorums'
  /** redundancy is not an integer >= 1, or maxReplicas is below it. */
  | 'invalid_arguments';

type ConsensusOutcome =
  /** `hash`: the first agreeing result's; `results`: the agreeing results' ids (with a comparator their hashes may differ). */
  | { status: 'verified'; hash: string; results: string[]; agreeing: string[]; dissenting: string[] }
  /** `needed`: how many more agreeing results a quorum still needs; enough are already in flight. */
  | { status: 'pending'; needed: number }
  /** `extraReplicas`: results to ask for beyond those received and in flight. */
  | { status: 'conflict'; extraReplicas: number }
  | { status: 'failed'; reason: FailureReason };

/** The outcome, plus the votes not counted because their peer had already voted. */
export type ConsensusDecision = ConsensusOutcome & { ignored: Vote[] };

function validArguments({ redundancy, maxReplicas }: ConsensusInput): boolean {
  return Number.isInteger(redundancy) && redundancy >= 1 && Number.isInteger(maxReplicas) && maxReplicas >= redundancy;
}

function peersOf(votes: readonly Vote[]): string[] {
  return votes.map((vote) => vote.peer).sort();
}

export function decideConsensus(input: ConsensusInput): ConsensusDecision {
  const { counted, ignored } = onePerPeer(sortVotes(input.votes));
  return { ...decideCounted(input, counted), ignored };
}

function decideCounted(input: ConsensusInput, counted: readonly Vote[]): ConsensusOutcome {
  if (!validArguments(input)) return { status: 'failed', reason: 'invalid_arguments' };
  const quorum = quorumFor(input.redundancy, input.agreement);
  const clusters = clusterVotes(
    counted.filter((vote) => !input.rejected?.has(vote.result_id)),
    input.comparator ?? sameHash,
  );

  const atQuorum = clusters.filter((cluster) => cluster.length >= quorum);
  if (atQuorum.length > 1) return { status: 'failed', reason: 'competing_quorums' };
  const winner = atQuorum[0];
  if (winner) {
    return {
      status: 'verified',
      hash: winner[0]!.hash,
      results: winner.map((vote) => vote.result_id),
      agreeing: peersOf(winner),
      dissenting: peersOf(counted.filter((vote) => !winner.includes(vote))),
    };
  }

  // No quorum yet. At best, every further result joins the largest cluster.
  const largest = Math.max(0, ...clusters.map((cluster) => cluster.length));
  const missing = quorum - largest;
  if (counted.length + missing > input.maxReplicas) return { status: 'failed', reason: 'replicas_exhausted' };
  const inFlight = Math.max(0, (input.requested ?? input.redundancy) - counted.length);
  if (missing <= inFlight) return { status: 'pending', needed: missing };
  return { status: 'conflict', extraReplicas: missing - inFlight };
}
