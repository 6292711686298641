// What a peer is held to beyond the checks of each message (docs/PROTOCOL.md, "Limits and
// scoring"): rate limits on direct requests and on gossip, and gossipsub's peer scoring.
import type { GossipSub } from '@libp2p/gossipsub';
import type { PeerScoreParams, PeerScoreThresholds, TopicScoreParams } from '@libp2p/gossipsub/score';
import type { RateLimit } from '../../core/protocol/rate-limit.js';

/** Direct requests per peer, across its sessions; a request costs 1 + 1 per 64 KiB it carries. */
export const DIRECT_RATE: RateLimit = { perSecond: 200, burst: 400 };
export const requestCost = (bytes: number): number => 1 + Math.floor(bytes / (64 * 1024));
/** Gossip per author (the pubsub signer): commitments go out at most every 250 ms, and every 2 s. */
export const GOSSIP_RATE: RateLimit = { perSecond: 10, burst: 20 };

/**
 * Every topic we validate is scored alike: time in the mesh and first deliveries earn a little
 * (capped), an invalid message (one our validator rejects) costs 10 × its count squared, decaying
 * by 1 % a second. Mesh delivery rates are not scored: commitment topics are quiet by design, and
 * an honest peer with nothing to forward would be punished.
 */
export const TOPIC_SCORE: TopicScoreParams = {
  topicWeight: 1,
  timeInMeshWeight: 0.01,
  timeInMeshQuantum: 1000,
  timeInMeshCap: 300,
  firstMessageDeliveriesWeight: 1,
  firstMessageDeliveriesDecay: 0.9,
  firstMessageDeliveriesCap: 5,
  meshMessageDeliveriesWeight: 0,
  meshMessageDeliveriesDecay: 0.5,
  meshMessageDeliveriesCap: 1,
  meshMessageDeliveriesThreshold: 1,
  meshMessageDeliveriesWindow: 10,
  meshMessageDeliveriesActivation: 5000,
  meshFailurePenaltyWeight: 0,
  meshFailurePenaltyDecay: 0.5,
  invalidMessageDeliveriesWeight: -10,
  invalidMessageDeliveriesDecay: 0.99,
};

/** Loopback peers are this machine's own programs: many of them on one IP is no Sybil sign. */
export const SCORE_PARAMS: Partial<PeerScoreParams> = {
  topicScoreCap: 10,
  appSpecificWeight: 0,
  IPColocationFactorWeight: -5,
  IPColocationFactorThreshold: 10,
  IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1']),
  behaviourPenaltyWeight: -10,
  behaviourPenaltyThreshold: 0,
  behaviourPenaltyDecay: 0.9,
  decayInterval: 1000,
  decayToZero: 0.01,
  retainScore: 3600_000,
};

/** Below gossip: no gossip to or from them; publish: not published to; graylist: every RPC of theirs ignored. */
export const SCORE_THRESHOLDS: PeerScoreThresholds = {
  gossipThreshold: -10,
  publishThreshold: -50,
  graylistThreshold: -80,
  acceptPXThreshold: 10,
  opportunisticGraftThreshold: 5,
};

/**
 * The topics gossipsub scores, as it reads them at each event (its `score.params.topics`, which
 * the GossipSub interface does not show): our topics are per peer, so they are added as followed.
 */
export function scoredTopics(pubsub: GossipSub): Record<string, TopicScoreParams> {
  return (pubsub as unknown as { score: { params: PeerScoreParams } }).score.params.topics;
}
