// What the node answers the network with: its blobs and invites served, each verified message to
// the half of the round it concerns (inbox.ts), a dropped message held against its author, and
// peers' comings and goings put on the node's bus, where the pieces that act on them listen
// (onPeerChanges wires those of the node itself).
import type { ApiEvent, ApiEventType } from '../../../core/api/contract.js';
import { mayFetch } from '../../../core/mesh/rules/blob-access.js';
import { PenaltyBook } from '../../../core/mesh/rules/penalties.js';
import type { MeshState } from '../../../core/mesh/state/state.js';
import type { MeshNetwork, Redialer } from '../../p2p/index.js';
import type { Blobs } from '../context/blobs.js';
import type { NewEvent } from '../context/node-context.js';
import type { NodeEvents } from '../context/node-events.js';
import type { Invites } from '../peers/invites.js';
import { answerMessage, type Inbox } from './inbox.js';
import { OncePerGap } from '../basics/round-timer.js';
import { PeerRates, type RateLimit } from '../../../core/protocol/rate-limit.js';

/**
 * A peer's dropped messages are one API event a gap at the most, the next one counting those not
 * told (status counts every one): a flood's thousands a second would push everything else out of
 * the event log that a reconnecting UI reads, and be most of the node's garbage.
 */
const DROP_EVENT_GAP_MS = 1000;
/** Peers whose untold drops are counted; past it the counts start again (they are a courtesy). */
const UNTOLD_PEERS = 1024;
/**
 * A peer's `peer.seen`, journaled: a connection and its identify are one each, so six at once
 * (three connections), then one a minute. Every connection was journaled, and a peer that
 * reconnected in a loop grew the journal without end (test/rogue/flood.test.ts).
 */
export const PEER_SEEN_RATE: RateLimit = { perSecond: 1 / 60, burst: 6 };
/**
 * The `peer.seen` of peers I do not trust, journaled in all: each of a Sybil's fresh identities
 * was a journal event and a row of the peers table. Thirty at once (a LAN's worth of strangers
 * found at start), then one a second; one left out is journaled when it next connects or
 * identifies, and the Peers page lists the connected peers either way.
 */
export const STRANGERS_SEEN_RATE: RateLimit = { perSecond: 1, burst: 30 };

export interface NetworkHandlerNeeds {
  state: MeshState;
  blobs: Pick<Blobs, 'open'>;
  invites: Pick<Invites, 'redeem'>;
  inbox: Inbox;
  bus: NodeEvents;
  /** The node is stopping: nothing more is taken. */
  stopped(): boolean;
  /** Work its stop waits for. */
  track<T>(work: Promise<T>): Promise<T>;
  background(what: string, work: Promise<unknown>): void;
  record(events: NewEvent[]): Promise<void>;
  emit(type: ApiEventType, data: ApiEvent['data']): void;
}

export function handleNetwork(network: MeshNetwork, node: NetworkHandlerNeeds): void {
  const penalties = new PenaltyBook();
  network.serveBlobs({
    allows: (peer, cid) => mayFetch(node.state, peer, cid),
    open: (cid) => node.blobs.open(cid),
  });
  network.serveInvites(node.invites.redeem);
  network.onMessage((msg, context) =>
    node.stopped() ? Promise.resolve(undefined) : node.track(answerMessage(node.inbox, msg, context)),
  );
  const dropEvents = new OncePerGap(DROP_EVENT_GAP_MS);
  const untold = new Map<string, number>();
  network.onDrop((peer, reason, detail, culprit) => {
    if (node.stopped()) return;
    if (dropEvents.take(peer)) {
      node.emit('message.dropped', { peer, reason, detail: detail.slice(0, 200), also_dropped: untold.get(peer) ?? 0 });
      untold.delete(peer);
    } else {
      if (untold.size >= UNTOLD_PEERS && !untold.has(peer)) untold.clear();
      untold.set(peer, (untold.get(peer) ?? 0) + 1);
    }
    // Only what its author signed itself is held against a peer, never against the relay; and
    // the journal hears of a peer's penalties at most once a window (core/mesh/rules/penalties.ts).
    const count = culprit === undefined ? undefined : penalties.note(culprit, Date.now());
    if (count !== undefined)
      node.background(
        'recording a penalty',
        node.record([{ type: 'peer.penalized', peer_id: culprit!, reason, count }]),
      );
  });
  const seenRates = new PeerRates(PEER_SEEN_RATE);
  const strangersSeen = new PeerRates(STRANGERS_SEEN_RATE);
  /** Whether this sighting of `peer` is journaled: within its rate, and a stranger's within all strangers'. */
  const journalsSighting = (peer: string): boolean => {
    const nowMs = Date.now();
    const trusted = (node.state.trust.get(peer)?.weight ?? 0) > 0;
    return seenRates.take(peer, nowMs) && (trusted || strangersSeen.take('', nowMs));
  };
  network.onPeer((event, peer, addresses) => {
    if (node.stopped()) return;
    if (event === 'connect') {
      node.bus.emit('wake');
      node.bus.emit('peer.connected', peer);
    } else if (event === 'disconnect') node.bus.emit('peer.disconnected', peer);
    const seen = addresses.slice(0, 16); // what a peer.seen keeps
    if (event === 'disconnect' || seen.length === 0 || (event === 'discovery' && knows(node.state, peer, seen))) return;
    if (journalsSighting(peer))
      node.background('recording a peer', node.record([{ type: 'peer.seen', peer_id: peer, addresses: seen }]));
  });
}

/**
 * What the node does as peers come and go on its bus: the redialer keeps count, the API hears of
 * it, and my commitment is published soon after a connection (once the subscriptions are
 * exchanged); and what a `wake` (a connection, new work) wakes of what slows while nothing happens.
 */
export function onPeerChanges(
  bus: NodeEvents,
  node: {
    redial: Pick<Redialer, 'connectedTo' | 'disconnectedFrom'>;
    /** What a `wake` wakes (the machine's sampling, the heartbeat). */
    waking: ReadonlyArray<{ wake(): void }>;
    emit(type: ApiEventType, data: ApiEvent['data']): void;
    publishSoon(): void;
  },
): void {
  bus.on('wake', () => node.waking.forEach((w) => w.wake()));
  bus.on('peer.connected', (peer) => {
    node.redial.connectedTo(peer);
    node.emit('peer.connected', { peer });
    setTimeout(() => node.publishSoon(), 200).unref();
  });
  bus.on('peer.disconnected', (peer) => {
    node.redial.disconnectedFrom(peer);
    node.emit('peer.disconnected', { peer });
  });
}

/** Known at these addresses: its discovery is no news (each start puts the peers I trust in libp2p's store). */
function knows(state: MeshState, peer: string, addresses: readonly string[]): boolean {
  const known = state.peers.get(peer)?.addresses;
  return known !== undefined && addresses.every((address) => known.includes(address));
}
