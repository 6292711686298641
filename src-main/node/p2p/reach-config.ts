// libp2p's own NAT tools, set up for a mesh of people who trust each other:
// - AutoNAT asks peers to dial our addresses back; an address they reach is announced.
// - UPnP asks the home router to forward our port (quietly nothing where there is no such router).
// - Circuit Relay v2: the server relays for peers we trust (reservations only for them, with
//   limits on count, bytes and time); the transport dials through relays and takes inbound
//   relayed connections. Which relays hold a slot for us is relay-slots.ts's to decide, not the
//   transport's own discovery: it is handed the transport's reservation store.
// - DCUtR turns a relayed connection into a direct one by hole punching, where the NATs allow.
// - Identify push tells connected peers at once when our addresses change.
import { autoNAT } from '@libp2p/autonat';
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { dcutr } from '@libp2p/dcutr';
import { identifyPush } from '@libp2p/identify';
import type { Connection, ConnectionGater, Listener, TopologyFilter, Transport } from '@libp2p/interface';
import type { Libp2pOptions, ServiceFactoryMap } from 'libp2p';
import type { RelaySettings } from '../../core/reach/network-config.js';
import { RelayListener, type RelayClient } from './relay-slots.js';

export interface ReachOptions {
  /** Whether I trust `peer` (weight > 0): only they may reserve a relay slot on me, or I on them. */
  trusts: (peer: string) => boolean;
  /** Whether I relay now (the relay's mode and whether AutoNAT found me reachable). */
  relaying: () => boolean;
  /** The relay server's limits (fixed at start); undefined: no relay server at all. */
  relay?: Omit<RelaySettings, 'mode'>;
  upnp: boolean;
  /** Given the relay transport's reservation store and its listener, once libp2p builds them. */
  relayClient: (client: RelayClient, listener: RelayListener) => void;
}

/**
 * The registrar tells relay discovery of every connected peer that speaks the relay protocol,
 * unless this filter already "has" it: it has them all, so the transport's discovery never
 * reserves on its own (relay-slots.ts does, for the peers I trust, and asks again as things change).
 */
const NO_DISCOVERY: TopologyFilter = { has: () => true, add: () => {}, remove: () => {} };

/**
 * The relay transport, with a RelayListener for '/p2p-circuit' in place of its own (which would
 * set its discovery looking for any relay), handed to `relayClient` with its reservation store.
 */
function relayTransport(relayClient: ReachOptions['relayClient']): (components: object) => Transport {
  const factory = circuitRelayTransport({ discoveryFilter: NO_DISCOVERY, reservationCompletionTimeout: 10_000 });
  return (components) => {
    const transport = factory(components as never);
    const listener = new RelayListener(Reflect.get(components, 'addressManager') as never);
    transport.createListener = () => listener as unknown as Listener;
    relayClient(Reflect.get(transport, 'reservationStore') as RelayClient, listener);
    return transport;
  };
}

/** `factory` given its components with `component.method` replaced by `replacement` (which gets the original). */
function overriding<T>(
  factory: (components: never) => T,
  component: string,
  method: string,
  replacement: (original: (...args: unknown[]) => unknown, ...args: unknown[]) => unknown,
): (components: object) => T {
  return (components) => {
    const target = Reflect.get(components, component) as object;
    const original = (...args: unknown[]) =>
      Reflect.apply(Reflect.get(target, method) as (...a: unknown[]) => unknown, target, args);
    const replaced = new Proxy(target, {
      get: (t, prop) =>
        prop === method ? (...args: unknown[]) => replacement(original, ...args) : Reflect.get(t, prop),
    });
    return factory(new Proxy(components, { get: (t, p) => (p === component ? replaced : Reflect.get(t, p)) }) as never);
  };
}

interface AutoNATChecks {
  verifyExternalAddresses(connection: Connection): Promise<void>;
}

/**
 * AutoNAT, with two changes:
 * - Its dial-back (answering a peer that asks "can you reach me at X?") opens a connection to X
 *   and closes it after. @libp2p/autonat 3.0 opens it without `force`, so it gets the connection
 *   the asker already has to us and closes that: a relayed dial running over it dies with it, and
 *   the "yes" proves nothing. Its dials are made fresh here.
 * - It asks a peer to check our unconfirmed addresses only when that peer connects. The router's
 *   UPnP mapping comes a few seconds after start, when the peers we trust are already redialled,
 *   and would wait for a peer that connects later, which a small mesh may never have: `recheck`
 *   asks the peers already connected.
 */
function checkedAutoNAT(): { factory: (components: object) => unknown; recheck: () => void } {
  const fresh = overriding(
    autoNAT({ startupDelay: 1000, refreshInterval: 60_000 }),
    'connectionManager',
    'openConnection',
    (open, to, options) => open(to, { ...(options as object), force: true }),
  );
  let recheck = () => {};
  const factory = (components: object) => {
    const service = fresh(components) as AutoNATChecks;
    const connections = Reflect.get(components, 'connectionManager') as { getConnections(): Connection[] };
    recheck = () => {
      // A peer that cannot check (gone, a limited relayed link) is skipped; the others answer.
      for (const connection of connections.getConnections())
        service.verifyExternalAddresses(connection).catch(() => {});
    };
    return service;
  };
  return { factory, recheck: () => recheck() };
}

export async function reachConfig(options: ReachOptions): Promise<{
  listen: string[];
  transports: NonNullable<Libp2pOptions['transports']>;
  gater: Partial<ConnectionGater>;
  services: ServiceFactoryMap;
}> {
  const { relay } = options;
  const autoNATService = checkedAutoNAT();
  const services: ServiceFactoryMap = {
    autoNAT: autoNATService.factory,
    dcutr: dcutr(),
    identifyPush: identifyPush(),
  };
  // A port the router maps is announced once AutoNAT confirms it, asked at once. Loaded only here:
  // UPnP brings an XML parser and SSDP (~0.4 MB of code) that a node on loopback never needs.
  if (options.upnp) {
    const { uPnPNAT } = await import('@libp2p/upnp-nat');
    services.upnp = overriding(
      uPnPNAT({ autoConfirmAddress: false }),
      'addressManager',
      'addPublicAddressMapping',
      (add, ...args) => {
        add(...args);
        autoNATService.recheck();
      },
    );
  }
  if (relay)
    services.relay = circuitRelayServer({
      reservations: {
        maxReservations: relay.max_reservations,
        applyDefaultLimit: true,
        defaultDataLimit: BigInt(relay.max_bytes),
        defaultDurationLimit: relay.max_seconds * 1000,
      },
    });
  return {
    // '/p2p-circuit': listen on the relays that hold a slot for me (relay-slots.ts).
    listen: ['/p2p-circuit'],
    transports: [relayTransport(options.relayClient)],
    gater: {
      denyInboundRelayReservation: (peer) => !(options.relaying() && options.trusts(peer.toString())),
    },
    services,
  };
}
