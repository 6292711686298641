// Turning a bag of votes into clusters of agreeing votes. Everything here first puts the votes in
// one fixed order, so the clusters (and so the decision) never depend on the order results arrived.

/** One result of a unit, as consensus sees it: who computed it and the hash of what they got. */
export interface Vote {
  result_id: string;
  peer: string;
  hash: string;
  /** The fuel it reports, where it is billed by fuel: results of one hash that differ in it are a dissent (judge.ts). */
  fuel?: number;
}

/** Whether two results agree. Exact-hash units use hash equality; GPU units a tolerance check. */
export type Comparator = (representative: Vote, candidate: Vote) => boolean;

export const sameHash: Comparator = (a, b) => a.hash === b.hash;

/** Plain code-unit order (not localeCompare, whose result depends on the machine's locale). */
function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** The fixed order of votes: by hash, then peer, then result id. */
function compareVotes(a: Vote, b: Vote): number {
  return compareStrings(a.hash, b.hash) || compareStrings(a.peer, b.peer) || compareStrings(a.result_id, b.result_id);
}

export function sortVotes(votes: readonly Vote[]): Vote[] {
  return [...votes].sort(compareVotes);
}

/**
 * One vote per peer: a peer that sent several results is counted once (its first vote in the
 * fixed order), so it cannot outvote honest peers by repeating itself. The rest are `ignored`.
 */
export function onePerPeer(sortedVotes: readonly Vote[]): { counted: Vote[]; ignored: Vote[] } {
  const seen = new Set<string>();
  const counted: Vote[] = [];
  const ignored: Vote[] = [];
  for (const vote of sortedVotes) {
    if (seen.has(vote.peer)) {
      ignored.push(vote);
    } else {
      seen.add(vote.peer);
      counted.push(vote);
    }
  }
  return { counted, ignored };
}

/**
 * Each vote joins the first cluster whose representative (its first vote) it agrees with, or
 * starts a new one. With `sameHash` this is plain grouping by hash.
 */
export function clusterVotes(sortedVotes: readonly Vote[], agree: Comparator): Vote[][] {
  const clusters: Vote[][] = [];
  for (const vote of sortedVotes) {
    const home = clusters.find((cluster) => agree(cluster[0]!, vote));
    if (home) home.push(vote);
    else clusters.push([vote]);
  }
  return clusters;
}
