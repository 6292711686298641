// Who gets my capacity first. Bilateral trust is the smaller of my trust in a
// peer and theirs in me: tier 1 is every peer with bilateral trust > 0; tier 2 is every peer only
// I trust. Strangers get nothing unless the user opens a market with a default trust.
import type { ComputeCommitment } from '../schemas/index.js';
import { givesBack } from './reciprocity.js';

export type Tier = 1 | 2;

export interface PeerStanding {
  peer: string;
  tier: Tier;
  /** Whether it gives back (reciprocity.ts): within a tier, those that do come first. */
  givesBack: boolean;
  /** The key that orders requesters after that: bilateral trust in tier 1, mine in tier 2. */
  trust: number;
}

export interface TrustContext {
  me: string;
  /** My trust in each peer (the node passes the user's weights as they are). */
  myTrust: Readonly<Record<string, number>>;
  /** Trust given to peers I have no weight for; 0 (the default) keeps strangers out. */
  defaultTrust?: number;
}

function myTrustIn(ctx: TrustContext, peer: string): number {
  const weight = Object.hasOwn(ctx.myTrust, peer) ? ctx.myTrust[peer] : undefined;
  return weight ?? ctx.defaultTrust ?? 0;
}

export function bilateralTrust(ctx: TrustContext, theirs: ComputeCommitment): number {
  const theirTrustInMe = Object.hasOwn(theirs.trust_weights, ctx.me) ? (theirs.trust_weights[ctx.me] ?? 0) : 0;
  return Math.min(myTrustIn(ctx, theirs.peer_id), theirTrustInMe);
}

/** The tier of a requester, or undefined when it gets nothing from me. */
export function standingOf(ctx: TrustContext, theirs: ComputeCommitment): PeerStanding | undefined {
  if (theirs.peer_id === ctx.me) return undefined;
  const bilateral = bilateralTrust(ctx, theirs);
  const reciprocal = givesBack(theirs);
  if (bilateral > 0) return { peer: theirs.peer_id, tier: 1, givesBack: reciprocal, trust: bilateral };
  const mine = myTrustIn(ctx, theirs.peer_id);
  if (mine > 0) return { peer: theirs.peer_id, tier: 2, givesBack: reciprocal, trust: mine };
  return undefined;
}
