// My commitment on the gossip: what I offer (slots) and ask for (work requests), published on my
// topic, throttled; and the topics I follow, those of the peers I trust (the trust graph).
import type { MeshState } from '../../core/mesh/state.js';
import { commitmentTopic } from '../../core/protocol/messages.js';
import {
  type AvailabilitySlot,
  type ComputeCommitment,
  type ContributionFields,
  type WorkRequest,
} from '../../core/schemas/index.js';
import type { MeshNetwork } from '../p2p/index.js';
import { iso, type NodeContext } from './context.js';

const PUBLISH_INTERVAL_MS = 250;

export interface CommitmentSource {
  slots(): AvailabilitySlot[];
  workRequests(): WorkRequest[];
  /** My contribution history and damping (the provider's). */
  contribution(): ContributionFields;
  /** After each publication (the provider's round follows the commitments). */
  published(): void;
}

export class CommitmentPublisher {
  #timer: NodeJS.Timeout | undefined;
  #followed = new Set<string>();
  #clock = 0;
  #last = 0;
  #stopped = false;

  constructor(
    private readonly ctx: NodeContext,
    private readonly network: MeshNetwork,
    private readonly source: CommitmentSource,
  ) {}

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
    }
    this.#followed = trusted;
  }

  /**
   * Publishes my commitment soon: at once when the last one went out a while ago, else when
   * PUBLISH_INTERVAL_MS has passed since it. A commitment can carry a thousand units; sending one
   * per result would spend the CPU on signing and validating what barely changed.
   */
  soon(): void {
    if (this.#stopped || this.#timer) return;
    const wait = Math.max(5, this.#last + PUBLISH_INTERVAL_MS - this.ctx.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#last = this.ctx.now();
      this.ctx.background('publishing my commitment failed', this.#publish());
    }, wait);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  async #publish(): Promise<void> {
    this.#clock++;
    const { state, me } = this.ctx;
    const commitment: ComputeCommitment = {
      peer_id: me,
      availability_slots: this.source.slots(),
      work_requests: this.source.workRequests(),
      trust_weights: Object.fromEntries(
        [...state.trust].filter(([, t]) => t.weight > 0).map(([peer, t]) => [peer, t.weight]),
      ),
      ...this.source.contribution(),
      timestamp: iso(this.ctx.now()),
      vector_clock: { [me]: this.#clock },
    };
    await this.network.publish(commitmentTopic(me), 'commitment', commitment);
    this.source.published();
  }
}
