// The peers a node has seen (`peer.seen`): their names and addresses, to redial and to show. A
// stranger's sightings are journaled at a rate (node/mesh/wiring/network-handlers.ts), but over
// weeks a Sybil's identities would still add up, each a row here: past MAX_PEERS_KNOWN the
// stranger seen longest ago is forgotten. Peers I trust are kept whatever their number: the
// person chose each of them.

/**
 * Peers remembered: far more than a node meets in practice (its LAN, its trusted peers and theirs),
 * and at most 16 addresses each, a few megabytes.
 */
export const MAX_PEERS_KNOWN = 10_000;

export interface KnownPeer {
  name?: string;
  addresses: string[];
  lastSeen: string;
}

/** Notes a sighting of `peer`, kept in order of sightings (the longest unseen first), within MAX_PEERS_KNOWN. */
export function notePeer(
  peers: Map<string, KnownPeer>,
  peer: string,
  seen: KnownPeer,
  trusted: (peer: string) => boolean,
): void {
  peers.delete(peer);
  peers.set(peer, seen);
  if (peers.size <= MAX_PEERS_KNOWN) return;
  for (const id of peers.keys())
    if (!trusted(id)) {
      peers.delete(id);
      return;
    }
}
