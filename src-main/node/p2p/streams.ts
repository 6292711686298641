// Opening a protocol stream to a peer over the best connection there is: a direct one first, then
// any without relay limits, then a relayed one (work may flow over a relay while a direct
// connection is tried; blobs and messages move to the direct one as soon as it exists). Only when
// there is no open connection at all does it dial.
import type { Connection, PeerId, Stream } from '@libp2p/interface';
import type { MeshLibp2p } from './libp2p-node.js';

const rank = (c: Connection) => (c.direct ? 0 : 1) + (c.limits === undefined ? 0 : 2);

export function bestConnection(libp2p: MeshLibp2p, peer: PeerId): Connection | undefined {
  return libp2p
    .getConnections(peer)
    .filter((c) => c.status === 'open')
    .sort((a, b) => rank(a) - rank(b))[0];
}

export async function openStream(
  libp2p: MeshLibp2p,
  peer: PeerId,
  protocol: string,
  signal: AbortSignal,
): Promise<Stream> {
  const existing = bestConnection(libp2p, peer);
  if (existing) return existing.newStream(protocol, { signal, runOnLimitedConnection: true });
  return libp2p.dialProtocol(peer, protocol, { signal, runOnLimitedConnection: true });
}
