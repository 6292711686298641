// What a node knows and does about reaching its peers, over its libp2p node: whether it is
// reachable from anywhere (and so relays for the people it trusts), its relayed addresses, each
// connected peer's link (direct or relayed, the address in use, the round-trip time), dialling a
// peer at addresses it was given (an invite, the journal), and redeeming an invite.
import type { PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { addressKind, isReachable } from '../../core/reach/addresses.js';
import { relayServing, type RelayMode } from '../../core/reach/network-config.js';
import type { RedeemReply, RedeemRequest } from '../../core/reach/invite.js';
import { describeError } from '../../core/errors.js';
import { MeshError } from './errors.js';
import { redeem } from './invite-protocol.js';
import type { MeshLibp2p } from './libp2p-node.js';
import { bestConnection } from './streams.js';

export interface Link {
  kind: 'direct' | 'relayed';
  address: string;
  /** Milliseconds, from libp2p's connection monitor (a ping every 10 s); null before the first. */
  rtt_ms: number | null;
  /** What the relay allows this connection (bytes both ways, seconds); null on a direct one. */
  limits: { bytes: number | null; seconds: number | null } | null;
}

const RELAY_HOP = '/libp2p/circuit/relay/0.2.0/hop';

interface RelayServer {
  reservations: { size: number; keys(): Iterable<PeerId> };
}

export class Reach {
  constructor(
    private readonly libp2p: MeshLibp2p,
    /** The relay's mode now; `network.set` changes it without a restart. */
    public relayMode: RelayMode,
    /** Whether the relay server runs at all (its limits are fixed at start). */
    private readonly relayInstalled: boolean,
  ) {}

  /** My announced addresses, each ending in /p2p/<me>. */
  addresses(): string[] {
    return this.libp2p.getMultiaddrs().map(String);
  }

  /** Reachable from anywhere: AutoNAT or UPnP confirmed a public address, or I listen on one. */
  reachable(): boolean {
    return isReachable(this.addresses());
  }

  relaying(): boolean {
    return this.relayInstalled && relayServing(this.relayMode, this.reachable());
  }

  /** The peers holding a reservation on my relay now. */
  reservations(): string[] {
    const relay = (this.libp2p.services as Record<string, unknown>).relay as RelayServer | undefined;
    return relay ? [...relay.reservations.keys()].map(String) : [];
  }

  link(peer: string): Link | null {
    const connection = bestConnection(this.libp2p, peerIdFromString(peer));
    if (!connection) return null;
    const address = connection.remoteAddr.toString();
    return {
      kind: connection.direct && addressKind(address) !== 'relayed' ? 'direct' : 'relayed',
      address,
      rtt_ms: connection.rtt === undefined ? null : Math.round(connection.rtt * 10) / 10,
      limits: connection.limits
        ? {
            bytes: connection.limits.bytes === undefined ? null : Number(connection.limits.bytes),
            seconds: connection.limits.seconds ?? null,
          }
        : null,
    };
  }

  /**
   * I just started trusting `peer`. Relay discovery looks at a peer when it connects, so when I am
   * behind a NAT with no slot on `peer` yet and it offers relaying, the connection is made again
   * for discovery to see it now that it may be my relay.
   */
  async trusted(peer: string): Promise<void> {
    if (this.reachable() || this.addresses().some((a) => a.includes(`/p2p/${peer}/p2p-circuit`))) return;
    const id = parse(peer);
    if (this.libp2p.getConnections(id).length === 0) return;
    const known = await this.libp2p.peerStore.get(id).catch(() => undefined);
    if (!known?.protocols.includes(RELAY_HOP)) return;
    await this.libp2p.hangUp(id);
    await this.libp2p.dial(id, { signal: AbortSignal.timeout(10_000) });
  }

  /** Dials `peer`, teaching libp2p `addresses` first (they may come from an invite or the journal). */
  async dial(peer: string, addresses: string[], signal: AbortSignal): Promise<Link> {
    const id = parse(peer);
    const multiaddrs = addresses.flatMap((a) => {
      try {
        return [multiaddr(a)];
      } catch {
        return []; // an address this libp2p cannot read is one it cannot dial
      }
    });
    if (multiaddrs.length > 0) await this.libp2p.peerStore.merge(id, { multiaddrs });
    try {
      await this.libp2p.dial(id, { signal });
    } catch (err) {
      throw new MeshError(signal.aborted ? 'timeout' : 'unreachable', `${peer}: ${describeError(err)}`);
    }
    const link = this.link(peer);
    if (!link) throw new MeshError('unreachable', `${peer}: the connection closed at once`);
    return link;
  }

  redeem(peer: string, request: RedeemRequest, signal: AbortSignal): Promise<RedeemReply> {
    return redeem(this.libp2p, parse(peer), request, signal);
  }
}

function parse(peer: string): PeerId {
  try {
    return peerIdFromString(peer);
  } catch {
    throw new MeshError('bad_address', `${peer} is not a peer id`);
  }
}
