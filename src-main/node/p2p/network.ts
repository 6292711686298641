// A node's place in the mesh: a libp2p node that speaks only signed, size-checked, schema-checked
// envelopes (gossip on topics, direct request/reply) and content-addressed blobs. Whatever a
// peer sends, the caller's handler sees only messages that passed every check (gossip's:
// gossip-gate.ts); everything else is dropped, counted per peer and reason, and reported to the
// drop listeners.
import { describeError } from '../../core/errors.js';
import type { PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { Identity } from '../identity/identity.js';
import {
  BLOB_PROTOCOL,
  BLOB_STREAM_LIMITS,
  FETCHES_PER_PEER,
  fetchBlob,
  serveBlob,
  type BlobSource,
  type FetchOptions,
} from './blobs.js';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  DirectClient,
  MESSAGE_PROTOCOL,
  MESSAGE_STREAM_LIMITS,
  serveSession,
  type DirectPeer,
  type MessageContext,
  type Reply,
} from './request-protocol.js';
import { DropLedger, type DropListener } from './drops.js';
import { checkCatalog, EnvelopeVerifier, sealMessage, type MessageCatalog, type VerifiedMessage } from './envelope.js';
import { BlobError, MeshError, type DropReason } from './errors.js';
import { GossipGate } from './gossip-gate.js';
import { parkGossipWhileAlone } from './gossip-timers.js';
import { createMeshLibp2p, DEFAULT_MAX_CONNECTIONS, type MeshLibp2p } from './libp2p-node.js';
import { FetchSlots } from './fetch-slots.js';
import { INVITE_PROTOCOL, INVITE_STREAM_LIMITS, serveRedeem, type RedeemHandler } from './invite-protocol.js';
import { DIRECT_RATE, requestCost, scoredTopics, TOPIC_SCORE } from './peer-limits.js';
import { Reach, type ReachSettings } from './reach.js';
import type { ReachOptions } from './reach-config.js';
import { PeerRates } from '../../core/protocol/rate-limit.js';

export type MessageHandler = (message: VerifiedMessage, context: MessageContext) => Promise<Reply | undefined>;
/** `identified`: the peer told us its listen addresses (identify), the ones to dial it at later. */
export type PeerEvent = 'connect' | 'disconnect' | 'discovery' | 'identified';
export type PeerListener = (event: PeerEvent, peer: string, addresses: string[]) => void;

export interface MeshNetworkOptions {
  identity: Identity;
  catalog: MessageCatalog;
  /** Default ['/ip4/127.0.0.1/tcp/0']. */
  listen?: string[];
  /** LAN discovery; default true (tests pass false). */
  mdns?: boolean;
  /** Multiaddrs with /p2p/<id>, dialled at start. */
  bootstrap?: string[];
  /** Default 100. */
  maxConnections?: number;
  /** NAT traversal (reach-config.ts): whom I trust, my relay's settings, UPnP. Absent: direct only. */
  reach?: ReachSettings;
  /** Envelopes timestamped further than this from our clock are stale. Default 5 minutes. */
  clockSkewMs?: number;
  now?: () => number;
}

const DEFAULT_CLOCK_SKEW_MS = 5 * 60_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** Room around an envelope in a gossip RPC frame: topic, from, seqno, signature, key, control. */
const GOSSIP_FRAME_OVERHEAD_BYTES = 64 * 1024;

export class MeshNetwork {
  readonly peerId: string;
  readonly reach: Reach;
  private handler: MessageHandler | undefined;
  private blobSource: BlobSource | undefined;
  /** Blobs peers fetched from me since the start, and their bytes. */
  readonly #served = { blobs: 0, bytes: 0 };
  private redeemHandler: RedeemHandler | undefined;
  private readonly peerListeners: PeerListener[] = [];
  private readonly direct: DirectPeer;
  private readonly client: DirectClient;
  private readonly gossip: GossipGate;
  /** Blob fetches in flight to each peer, past FETCHES_PER_PEER waiting their turn. */
  private readonly fetchSlots = new FetchSlots(FETCHES_PER_PEER);
  private stopped = false;

  private constructor(
    private readonly libp2p: MeshLibp2p,
    private readonly options: MeshNetworkOptions,
    private readonly verifier: EnvelopeVerifier,
    private readonly drops: DropLedger,
    reach: Reach | undefined,
  ) {
    this.peerId = libp2p.peerId.toString();
    this.reach = reach ?? new Reach(libp2p, 'off', false);
    const directRates = new PeerRates(DIRECT_RATE);
    this.direct = {
      libp2p,
      verifier,
      drops,
      admits: (peer, bytes) => directRates.take(peer, this.now(), requestCost(bytes)),
      admitsAgainInMs: (peer) => directRates.waitMs(peer, this.now()),
      handle: (message, context) => this.runHandler(message, context),
      seal: (type, body) => this.seal(type, body),
    };
    this.client = new DirectClient(this.direct);
    this.gossip = new GossipGate(verifier, drops, () => this.now());
  }

  static async start(options: MeshNetworkOptions): Promise<MeshNetwork> {
    checkCatalog(options.catalog);
    const verifier = new EnvelopeVerifier({
      catalog: options.catalog,
      clockSkewMs: options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS,
      now: options.now ?? Date.now,
    });
    let reach: Reach | undefined; // made once libp2p exists; its gater asks it before that never
    let relayClient: Parameters<ReachOptions['relayClient']> | undefined;
    const { relay } = options.reach ?? {};
    const libp2p = await createMeshLibp2p({
      privateKey: options.identity.privateKey,
      listen: options.listen,
      mdns: options.mdns,
      bootstrap: options.bootstrap,
      maxConnections: options.maxConnections,
      maxGossipBytes: verifier.maxEnvelopeBytes + GOSSIP_FRAME_OVERHEAD_BYTES,
      ...(options.reach && relay
        ? {
            reach: {
              trusts: options.reach.trusts,
              relaying: () => reach?.relaying() ?? false,
              ...(relay.mode === 'off' ? {} : { relay }),
              upnp: options.reach.upnp,
              relayClient: (...parts) => void (relayClient = parts),
            },
          }
        : {}),
    });
    if (options.reach && relay) reach = Reach.withSlots(libp2p, options.reach, relayClient);
    const network = new MeshNetwork(libp2p, options, verifier, new DropLedger(), reach);
    try {
      await network.attach();
    } catch (err) {
      await libp2p.stop();
      throw err;
    }
    return network;
  }

  private async attach(): Promise<void> {
    const { libp2p } = this;
    await libp2p.handle(
      MESSAGE_PROTOCOL,
      (stream, connection) => serveSession(this.direct, stream, connection),
      MESSAGE_STREAM_LIMITS,
    );
    await libp2p.handle(
      BLOB_PROTOCOL,
      (stream, connection) =>
        serveBlob(this.blobSource, this.drops, stream, connection, (bytes) => {
          this.#served.blobs++;
          this.#served.bytes += bytes;
        }),
      BLOB_STREAM_LIMITS,
    );
    await libp2p.handle(
      INVITE_PROTOCOL,
      (stream, connection) => serveRedeem(this.redeemHandler, this.drops, stream, connection),
      INVITE_STREAM_LIMITS,
    );
    libp2p.services.pubsub.addEventListener('gossipsub:message', (event) => {
      const { propagationSource, msg } = event.detail;
      const message = this.gossip.delivered(msg);
      if (message === undefined) return; // a topic we no longer validate, so no longer deliver
      const context: MessageContext = { via: 'gossip', from: propagationSource.toString(), topic: msg.topic };
      this.runHandler(message, context).catch(() => {
        // a gossip handler has nobody to answer; its failures are its own to report
      });
    });
    const gossipTimers = parkGossipWhileAlone(libp2p.services.pubsub, () => libp2p.getPeers().length === 0);
    libp2p.addEventListener('peer:connect', (event) => {
      gossipTimers.changed();
      this.emitPeer('connect', event.detail, this.addressesOf(event.detail));
    });
    libp2p.addEventListener('peer:disconnect', (event) => {
      gossipTimers.changed();
      this.emitPeer('disconnect', event.detail, []);
    });
    libp2p.addEventListener('peer:identify', (event) =>
      this.emitPeer('identified', event.detail.peerId, event.detail.listenAddrs.map(String)),
    );
    libp2p.addEventListener('peer:discovery', (event) => {
      const { id, multiaddrs } = event.detail;
      // libp2p calls any peer new to its peer store discovered, a peer that just dialled us too
      if (this.libp2p.getConnections(id).length > 0) return;
      this.emitPeer('discovery', id, multiaddrs.map(String));
      this.dialDiscovered(id);
    });
  }

  /** Our addresses, each ending in /p2p/<our id>. */
  listenAddresses(): string[] {
    return this.libp2p.getMultiaddrs().map(String);
  }

  /** Dials `address`; resolves the remote peer's id. */
  async connect(address: string): Promise<string> {
    this.assertRunning();
    let target: Multiaddr;
    try {
      target = multiaddr(address);
    } catch (err) {
      throw new MeshError('bad_address', `${address}: ${describeError(err)}`);
    }
    const signal = AbortSignal.timeout(CONNECT_TIMEOUT_MS);
    try {
      return (await this.libp2p.dial(target, { signal })).remotePeer.toString();
    } catch (err) {
      if (signal.aborted)
        throw new MeshError('timeout', `could not connect to ${address} within ${CONNECT_TIMEOUT_MS} ms`);
      throw new MeshError('unreachable', `${address}: ${describeError(err)}`);
    }
  }

  connectedPeers(): string[] {
    return this.libp2p.getPeers().map(String);
  }

  subscribe(topic: string): void {
    this.assertRunning();
    const { pubsub } = this.libp2p.services;
    scoredTopics(pubsub)[topic] = TOPIC_SCORE;
    pubsub.topicValidators.set(topic, (source, message) => this.gossip.validate(source, message));
    pubsub.subscribe(topic);
  }

  unsubscribe(topic: string): void {
    this.assertRunning();
    const { pubsub } = this.libp2p.services;
    pubsub.unsubscribe(topic);
    pubsub.topicValidators.delete(topic);
    delete scoredTopics(pubsub)[topic]; // its counters stop counting; scores already lowered decay
  }

  topics(): string[] {
    return this.libp2p.services.pubsub.getTopics();
  }

  /** The connected peers we know to be subscribed to `topic`. */
  subscribers(topic: string): string[] {
    return this.libp2p.services.pubsub.getSubscribers(topic).map(String);
  }

  /** Signs an envelope and gossips it on `topic`. Throws MeshError for a body the catalog refuses. */
  async publish(topic: string, type: string, body: unknown): Promise<void> {
    this.assertRunning();
    await this.libp2p.services.pubsub.publish(topic, await this.seal(type, body));
  }

  /**
   * Sends a signed request straight to `peer`; its verified reply, or undefined when its handler
   * returned nothing. `signal` ends the wait (MeshError `timeout` for an AbortSignal.timeout, else
   * `aborted`); without one, the request gives up after 10 s.
   */
  async request(
    peer: string,
    type: string,
    body: unknown,
    options: { signal?: AbortSignal } = {},
  ): Promise<VerifiedMessage | undefined> {
    this.assertRunning();
    const signal = options.signal ?? AbortSignal.timeout(DEFAULT_REQUEST_TIMEOUT_MS);
    return this.client.request(parsePeerId(peer), await this.seal(type, body), signal, type);
  }

  /** One handler for every verified message, gossip and direct; what it returns answers a direct request. */
  onMessage(handler: MessageHandler): void {
    this.handler = handler;
  }

  serveBlobs(source: BlobSource): void {
    this.blobSource = source;
  }

  /** Who answers invite redemptions (invite-protocol.ts); until set, every invite is unknown. */
  serveInvites(handler: RedeemHandler): void {
    this.redeemHandler = handler;
  }

  /**
   * The bytes of `cid` from `peer`, verified against the CID. Throws BlobError; `options.signal`
   * ends the wait (`timeout` or `aborted`); without one, the fetch gives up after 60 s.
   */
  async fetchBlob(peer: string, cid: string, options: FetchOptions): Promise<Uint8Array> {
    if (this.stopped) throw new BlobError('unreachable', 'the network was stopped');
    let peerId: PeerId;
    try {
      peerId = peerIdFromString(peer);
    } catch {
      throw new BlobError('unreachable', `${peer} is not a peer id`);
    }
    return this.fetchSlots.run(peer, () => fetchBlob(this.libp2p, peerId, cid, options));
  }

  /** Blobs peers fetched from me since the start, and their bytes. */
  blobsServed(): { blobs: number; bytes: number } {
    return { ...this.#served };
  }

  /** peer → reason → count of the messages dropped from that peer. */
  dropped(): Record<string, Partial<Record<DropReason, number>>> {
    return this.drops.snapshot();
  }

  onDrop(listener: DropListener): void {
    this.drops.onDrop(listener);
  }

  onPeer(listener: PeerListener): void {
    this.peerListeners.push(listener);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.reach.stop();
    await this.libp2p.stop();
  }

  /** The handler's answer; a handler that throws, even synchronously, gives a rejection. */
  private async runHandler(message: VerifiedMessage, context: MessageContext): Promise<Reply | undefined> {
    return this.handler?.(message, context);
  }

  private seal(type: string, body: unknown): Promise<Uint8Array> {
    return sealMessage(this.options.catalog, this.options.identity, type, body, this.now());
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private emitPeer(event: PeerEvent, peer: PeerId, addresses: string[]): void {
    for (const listener of this.peerListeners) {
      try {
        listener(event, peer.toString(), addresses);
      } catch {
        // one listener's failure does not keep the event from the others
      }
    }
  }

  private addressesOf(peer: PeerId): string[] {
    return this.libp2p.getConnections(peer).map((connection) => connection.remoteAddr.toString());
  }

  /** Discovery only finds peers; joining the mesh means dialling them, while there is room. */
  private dialDiscovered(peer: PeerId): void {
    const max = this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    if (this.stopped || this.libp2p.getConnections().length >= max) return;
    this.libp2p.dial(peer, { signal: AbortSignal.timeout(CONNECT_TIMEOUT_MS) }).catch(() => {
      // an unreachable neighbour is common on a LAN (a stale mDNS answer); discovery will try again
    });
  }

  private assertRunning(): void {
    if (this.stopped) throw new MeshError('stopped', 'the network was stopped');
  }
}

function parsePeerId(peer: string): PeerId {
  try {
    return peerIdFromString(peer);
  } catch {
    throw new MeshError('bad_address', `${peer} is not a peer id`);
  }
}
