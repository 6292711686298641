// gossipsub's own timers, its heartbeat and its peer scores' upkeep (each every second), are parked
// while no peer is connected: with nobody to gossip with they only woke an idle node, twice a
// second. The first connection starts them again; the mesh itself forms as peers subscribe
// (graft-on-subscribe), not on a heartbeat. Scores are untouched: a disconnected peer's score is
// only kept, not decayed, and its expiry is a time, checked when the upkeep runs again.
//
// @libp2p/gossipsub has no option for this: what is reached here are its fields (17.1, pinned in
// package.json), checked when parking starts, so a version without them fails at once (the
// p2p-idle test) rather than keeping its timers quietly.
import type { GossipSub } from '@libp2p/gossipsub';

type Timer = ReturnType<typeof setTimeout>;

interface GossipInternals {
  /** 0 while started (GossipStatusCode.started). */
  status: { code: number; heartbeatTimeout?: Timer; hearbeatStartMs?: number };
  /** Runs one heartbeat, then sets the timeout of the next, reading this field again each time. */
  runHeartbeat: () => void;
  opts: { heartbeatInterval: number };
  score: { start(): void; _backgroundInterval?: Timer };
}

const STARTED = 0;

/** Parks `pubsub`'s timers now if `alone()`, and whenever `changed` is called and `alone()` says so. */
export function parkGossipWhileAlone(pubsub: GossipSub, alone: () => boolean): { changed: () => void } {
  const gossip = pubsub as unknown as GossipInternals;
  const { status, runHeartbeat, score } = gossip;
  if (typeof runHeartbeat !== 'function' || typeof score?.start !== 'function' || status?.code !== STARTED)
    throw new Error('@libp2p/gossipsub changed: its heartbeat and score timers cannot be parked');
  let parked = false;
  // Every next heartbeat is set through this field: a parked one (one already running when the
  // last peer left) sets none.
  gossip.runHeartbeat = () => {
    if (parked) gossip.status.heartbeatTimeout = undefined;
    else runHeartbeat();
  };
  const park = () => {
    parked = true;
    clearTimeout(gossip.status.heartbeatTimeout);
    gossip.status.heartbeatTimeout = undefined;
    clearInterval(score._backgroundInterval);
    score._backgroundInterval = undefined; // score.stop() would also forget the peers' scores
  };
  const resume = () => {
    parked = false;
    if (gossip.status.code !== STARTED) return; // stopping: its timers are not to come back
    if (gossip.status.heartbeatTimeout === undefined) {
      gossip.status.hearbeatStartMs = Date.now();
      gossip.status.heartbeatTimeout = setTimeout(gossip.runHeartbeat, gossip.opts.heartbeatInterval);
    }
    score.start(); // a no-op while its interval runs
  };
  const changed = () => {
    if (alone() !== parked) (parked ? resume : park)();
  };
  changed();
  return { changed };
}
