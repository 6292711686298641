// What a node knows and does about reaching its peers, over its libp2p node: whether it is
// reachable from anywhere (and so relays for the people it trusts), its relayed addresses, each
// connected peer's link (direct or relayed, the address in use, the round-trip time), dialling a
// peer at addresses it was given (an invite, the journal), and redeeming an invite. Behind a NAT,
// the relay slots it holds on peers it trusts (relay-slots.ts).
import type { PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { addressKind, isReachable } from '../../core/reach/addresses.js';
import { relayServing, type RelayMode, type RelaySettings } from '../../core/reach/network-config.js';
import type { RedeemReply, RedeemRequest } from '../../core/reach/invite.js';
import { describeError } from '../../core/errors.js';
import { MeshError } from './errors.js';
import { redeem } from './invite-protocol.js';
import type { MeshLibp2p } from './libp2p-node.js';
import { RelaySlots, type RelayClient, type RelayListener } from './relay-slots.js';
import { bestConnection } from './streams.js';

export interface Link {
  kind: 'direct' | 'relayed';
  address: string;
  /** Milliseconds, from libp2p's connection monitor (a ping every 10 s); null before the first. */
  rtt_ms: number | null;
  /** What the relay allows this connection (bytes both ways, seconds); null on a direct one. */
  limits: { bytes: number | null; seconds: number | null } | null;
}

interface RelayServer {
  reservations: { size: number; keys(): Iterable<PeerId>; delete(peer: PeerId): void };
}

/** What a node with NAT traversal is started with (MeshNetworkOptions.reach). */
export interface ReachSettings {
  trusts: (peer: string) => boolean;
  relay: RelaySettings;
  upnp: boolean;
  /** Where the relay slots say what they could not do (a relay's refusal). */
  log?: (message: string) => void;
}

export class Reach {
  /** A Reach for a node with NAT traversal: its relay server as `settings` say, its relay slots started. */
  static withSlots(
    libp2p: MeshLibp2p,
    { relay, trusts, log }: ReachSettings,
    relayClient: [RelayClient, RelayListener] | undefined,
  ): Reach {
    const slots = relayClient && new RelaySlots(libp2p, ...relayClient, trusts, log);
    slots?.start();
    return new Reach(libp2p, relay.mode, relay.mode !== 'off', slots, trusts);
  }

  constructor(
    private readonly libp2p: MeshLibp2p,
    /** The relay's mode now; `network.set` changes it without a restart. */
    public relayMode: RelayMode,
    /** Whether the relay server runs at all (its limits are fixed at start). */
    private readonly relayInstalled: boolean,
    /** The slots I hold on relays; undefined without NAT traversal. */
    private readonly slots?: RelaySlots,
    private readonly trusts: (peer: string) => boolean = () => false,
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
    return [...(this.#server()?.reservations.keys() ?? [])].map(String);
  }

  /** The relays I hold a slot on now. */
  relays(): string[] {
    return this.slots?.held() ?? [];
  }

  #server(): RelayServer | undefined {
    return (this.libp2p.services as Record<string, unknown>).relay as RelayServer | undefined;
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
   * My trust changed, by any path (an invite, either side of it; the API's trust.set). Each side of
   * a slot lets it go when its own trust goes: a peer I no longer trust loses its reservation on my
   * relay (it relays nothing more to it), and my slots are checked again (relay-slots.ts).
   */
  trustChanged(): void {
    const server = this.#server();
    for (const peer of server?.reservations.keys() ?? [])
      if (!this.trusts(peer.toString())) server?.reservations.delete(peer);
    this.slots?.trustChanged();
  }

  /**
   * `peer`'s trust in me changed, as its commitment says: a relay that refused me a slot (it did
   * not trust me) is asked again now, not at its next retry.
   */
  theirTrustChanged(peer: string): void {
    this.slots?.consider(peer);
  }

  stop(): void {
    this.slots?.stop();
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
