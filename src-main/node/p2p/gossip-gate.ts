// The gate gossip passes before gossipsub delivers it (MeshNetwork subscribes a topic with it as
// its validator): signed by its author, within the author's rate, and an envelope the verifier
// accepts. What passes waits here for gossipsub's delivery; what fails is counted as a drop, and
// rejected (held against the forwarder's score) or ignored.
import { TopicValidatorResult, type Message } from '@libp2p/gossipsub';
import type { PeerId } from '@libp2p/interface';
import { PeerRates } from '../../core/protocol/rate-limit.js';
import type { DropLedger } from './drops.js';
import type { EnvelopeVerifier, VerifiedMessage } from './envelope.js';
import type { DropReason } from './errors.js';
import { GOSSIP_RATE } from './peer-limits.js';

/**
 * Refusals a forwarder cannot have seen coming (clocks differ, a replay it saw first): neither
 * forwarded nor held against the forwarder's gossip score.
 */
const IGNORED_DROPS: ReadonlySet<DropReason> = new Set(['stale', 'replayed']);

export class GossipGate {
  readonly #rates = new PeerRates(GOSSIP_RATE);
  /** Gossip that passed its topic validator, waiting for gossipsub to deliver it. */
  readonly #verified = new WeakMap<Message, VerifiedMessage>();

  constructor(
    private readonly verifier: EnvelopeVerifier,
    private readonly drops: DropLedger,
    private readonly now: () => number,
  ) {}

  /** The verified message of gossip gossipsub delivers, taken once; undefined when it did not pass here. */
  delivered(message: Message): VerifiedMessage | undefined {
    const verified = this.#verified.get(message);
    if (verified !== undefined) this.#verified.delete(message);
    return verified;
  }

  /** A topic's validator: the message accepted, rejected or ignored, as gossipsub asks. */
  async validate(source: PeerId, message: Message): Promise<TopicValidatorResult> {
    const from = source.toString();
    // StrictSign: gossipsub has already checked that `message.from` signed this pubsub message.
    if (message.type !== 'signed') {
      this.drops.record(from, 'bad_signature', `unsigned gossip on ${message.topic}`);
      return TopicValidatorResult.Reject;
    }
    const author = message.from.toString();
    if (!this.#rates.take(author, this.now())) {
      this.drops.record(from, 'rate_limited', `gossip on ${message.topic}: ${author} past ${GOSSIP_RATE.perSecond}/s`);
      // An author's own gossip past its rate is its own doing (an honest node publishes at most
      // every 250 ms): held against its score, a flooder is soon graylisted, and its RPCs are
      // dropped before gossipsub keeps a message id of each for two minutes. A forwarder cannot
      // know the author's rate as I count it: ignored.
      return author === from ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore;
    }
    const verdict = await this.verifier.verify(message.data, author, { via: 'gossip', topic: message.topic });
    if (!verdict.ok) {
      const culprit = 'culprit' in verdict ? verdict.culprit : undefined;
      this.drops.record(from, verdict.reason, `gossip on ${message.topic}: ${verdict.detail}`, culprit);
      return IGNORED_DROPS.has(verdict.reason) ? TopicValidatorResult.Ignore : TopicValidatorResult.Reject;
    }
    this.#verified.set(message, verdict.message);
    return TopicValidatorResult.Accept;
  }
}
