// The commitments I follow: those of the peers I trust, and only those (the trust graph). A peer's
// topic carries only the work requests of its jobs open to strangers; a peer that trusts me also
// sends me its whole commitment directly, and its work requests stand in for the topic's until the
// topic says it no longer trusts me. What I make of each peer is ctx.commitments, which the
// provider's rounds read.
import type { MeshState } from '../../../core/mesh/state/state.js';
import { commitmentTopic } from '../../../core/protocol/messages.js';
import type { ComputeCommitment, WorkRequest } from '../../../core/schemas/index.js';
import type { MeshNetwork } from '../../p2p/index.js';
import type { NodeContext } from '../context/node-context.js';

/** What this piece needs of the node: checked where it is built (context/node-context.ts). */
type FollowingNeeds = Pick<NodeContext, 'commitments' | 'events' | 'me'>;

export class Following {
  #followed = new Set<string>();
  /** The work requests each peer I follow last sent me directly: every job of its, closed ones too. */
  readonly #direct = new Map<string, WorkRequest[]>();

  constructor(
    private readonly ctx: FollowingNeeds,
    private readonly network: MeshNetwork,
    /** A peer's trust in me changed, as its commitment says (what I send it directly may matter now). */
    private readonly theirTrustChanged: (peer: string) => void,
  ) {
    ctx.events.on('peer.disconnected', (peer) => this.lost(peer));
  }

  /** Whether I follow `peer`'s commitments (I trust it). */
  follows(peer: string): boolean {
    return this.#followed.has(peer);
  }

  /** Subscribes to the commitments of every peer I trust, and only those. */
  followTrusted(state: MeshState): void {
    const trusted = new Set([...state.trust].filter(([, t]) => t.weight > 0).map(([peer]) => peer));
    for (const peer of trusted) if (!this.#followed.has(peer)) this.network.subscribe(commitmentTopic(peer));
    for (const peer of this.#followed) {
      if (trusted.has(peer)) continue;
      this.network.unsubscribe(commitmentTopic(peer));
      this.ctx.commitments.delete(peer);
      this.#direct.delete(peer);
    }
    this.#followed = trusted;
  }

  /**
   * A peer gone (its last connection closed): none of its units waits for me while it cannot be
   * pulled from or answer, so my offer rounds place none of them. Its slots and history stay (what
   * it gives back); on its return, each side sends its commitment.
   */
  lost(peer: string): void {
    const theirs = this.ctx.commitments.get(peer);
    if (theirs && theirs.work_requests.length > 0) this.ctx.commitments.set(peer, { ...theirs, work_requests: [] });
    this.#direct.delete(peer);
  }

  /**
   * A commitment from its author, from its topic or sent directly (`direct`): what I make of that
   * peer now, or undefined when I do not follow it or the commitment is not the author's own.
   */
  take(author: string, commitment: ComputeCommitment, direct: boolean): ComputeCommitment | undefined {
    if (commitment.peer_id !== author || !this.#followed.has(author)) return undefined;
    const before = this.ctx.commitments.get(author);
    if (direct) this.#direct.set(author, commitment.work_requests);
    else if (!(trustInMe(commitment, this.ctx.me) > 0)) this.#direct.delete(author); // its closed jobs are no longer mine to see
    const all = this.#direct.get(author);
    const current = all && !direct ? { ...commitment, work_requests: all } : commitment;
    this.ctx.commitments.set(author, current);
    if (trustInMe(before, this.ctx.me) !== trustInMe(commitment, this.ctx.me)) {
      this.theirTrustChanged(author);
      this.network.reach.theirTrustChanged(author); // a relay slot it refused me may be granted now
    }
    return current;
  }
}

/** A peer's trust in me as its commitment says (0 when it names me not, or I have none of its). */
export function trustInMe(commitment: ComputeCommitment | undefined, me: string): number {
  const weights = commitment?.trust_weights ?? {};
  return Object.hasOwn(weights, me) ? (weights[me] ?? 0) : 0;
}
