// The libp2p node under a MeshNetwork: TCP, Noise, yamux, identify, ping, gossipsub, and mDNS or
// bootstrap discovery when asked; with `reach`, the NAT tools too (reach.ts). Exported on its own
// so tests can build a bare peer that speaks the same transports and write raw streams and raw
// gossip at a MeshNetwork.
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { bootstrap } from '@libp2p/bootstrap';
import { gossipsub, type GossipSub } from '@libp2p/gossipsub';
import { identify, type Identify } from '@libp2p/identify';
import type { PrivateKey } from '@libp2p/interface';
import { mdns } from '@libp2p/mdns';
import { ping, type Ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { createLibp2p, type Libp2p, type Libp2pOptions } from 'libp2p';
import { corkedWrites } from './corked-writes.js';
import { publicListenAddresses } from './listen-addresses.js';
import { SCORE_PARAMS, SCORE_THRESHOLDS } from './peer-limits.js';
import { reachConfig, type ReachOptions } from './reach-config.js';

type MeshServices = { identify: Identify; ping: Ping; pubsub: GossipSub };
export type MeshLibp2p = Libp2p<MeshServices>;

const DEFAULT_LISTEN = ['/ip4/127.0.0.1/tcp/0'];
export const DEFAULT_MAX_CONNECTIONS = 100;

export interface MeshNodeOptions {
  privateKey: PrivateKey;
  listen?: string[];
  mdns?: boolean;
  bootstrap?: string[];
  maxConnections?: number;
  /** The largest gossip RPC frame read; larger ones break the sender's gossip stream. */
  maxGossipBytes: number;
  /** AutoNAT, UPnP, relays and hole punching; without it the node dials and listens directly only. */
  reach?: ReachOptions;
}

export async function createMeshLibp2p(options: MeshNodeOptions): Promise<MeshLibp2p> {
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const peerDiscovery: NonNullable<Libp2pOptions['peerDiscovery']> = [];
  if (options.mdns ?? true) peerDiscovery.push(mdns());
  if (options.bootstrap !== undefined && options.bootstrap.length > 0)
    peerDiscovery.push(bootstrap({ list: options.bootstrap }));
  const reach = options.reach && (await reachConfig(options.reach));
  return createLibp2p<MeshServices>({
    privateKey: options.privateKey,
    addresses: {
      listen: [...(options.listen ?? DEFAULT_LISTEN), ...(reach?.listen ?? [])],
      ...(reach ? { appendAnnounce: publicListenAddresses(options.listen ?? DEFAULT_LISTEN) } : {}),
    },
    transports: [tcp(), ...(reach?.transports ?? [])],
    ...(reach ? { connectionGater: reach.gater } : {}),
    connectionEncrypters: [corkedWrites(noise())],
    streamMuxers: [
      // yamux's own stream windows (256 KiB growing to 16 MiB) already keep a transfer busy
      yamux({ maxInboundStreams: 256, maxOutboundStreams: 256 }),
    ],
    connectionManager: {
      maxConnections,
      maxIncomingPendingConnections: Math.max(4, Math.ceil(maxConnections / 10)),
      dialTimeout: 10_000,
    },
    peerDiscovery,
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        globalSignaturePolicy: 'StrictSign',
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        maxInboundDataLength: options.maxGossipBytes,
        maxInboundStreams: 4,
        maxOutboundStreams: 4,
        scoreParams: SCORE_PARAMS, // topics are scored as they are validated (MeshNetwork.subscribe)
        scoreThresholds: SCORE_THRESHOLDS,
      }),
      ...reach?.services,
    },
  });
}
