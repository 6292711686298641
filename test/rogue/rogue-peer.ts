// A rogue peer for tests: a bare libp2p node (TCP, Noise, yamux, identify, gossipsub) that speaks
// the mesh protocol as docs/PROTOCOL.md writes it down, with its own envelope signing and framing,
// not the node's: so it can say anything, and a bug shared by the node's sender and receiver does
// not hide itself. Everything it sends goes to loopback peers the test started.
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { gossipsub, type GossipSub } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import type { PrivateKey, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { tcp } from '@libp2p/tcp';
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p, type Libp2p } from 'libp2p';
import { randomBytes } from 'node:crypto';

/** The protocol ids and topics of docs/PROTOCOL.md ("On the wire"), written out, not imported. */
export const WIRE = {
  message: '/mesh/1/msg/4.0.0',
  blob: '/mesh/1/blob/1.0.0',
  adverts: '/mesh/1/adverts',
  commitments: (peer: string) => `/mesh/1/commitments/${peer}`,
} as const;
/** Frame kinds of the direct protocol. */
export const KIND = { request: 0, reply: 1, empty: 2, error: 3 } as const;

const utf8 = new TextEncoder();
/** A rogue opens as many streams as it likes; the target's limits are what is tested. */
const OPEN_MANY = { maxOutboundStreams: 10_000 };

/** Keys sorted by UTF-16 code unit, no whitespace, undefined members left out (PROTOCOL.md, Envelopes). */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .filter((key) => record[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface EnvelopeOverrides {
  author?: string;
  ts?: string;
  nonce?: string;
  /** Signs with this key instead of the rogue's own. */
  key?: PrivateKey;
}

/** A reply read from a direct session: its kind, and its payload as text. */
export interface RawReply {
  kind: number;
  text: string;
}

type RogueServices = { pubsub: GossipSub; identify: ReturnType<ReturnType<typeof identify>> };

/** A request the rogue received on the direct protocol, as it read it (not verified: it trusts nobody's format but its own). */
export interface Inbound {
  type: string;
  author: string;
  body: unknown;
}

/** How the rogue answers a direct request: a message of its choosing, or an empty reply. */
export type Answerer = (request: Inbound) => Promise<{ type: string; body: unknown } | undefined>;

export class RoguePeer {
  private constructor(
    readonly key: PrivateKey,
    readonly libp2p: Libp2p<RogueServices>,
  ) {}

  /** A rogue with a fresh Ed25519 identity, or with `key` (two rogues can share one identity). */
  static async start(key?: PrivateKey): Promise<RoguePeer> {
    const privateKey = key ?? (await generateKeyPair('Ed25519'));
    const libp2p = await createLibp2p<RogueServices>({
      privateKey,
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux({ maxOutboundStreams: 4096 })],
      services: {
        identify: identify(),
        pubsub: gossipsub({
          globalSignaturePolicy: 'StrictSign',
          allowPublishToZeroTopicPeers: true,
          emitSelf: false,
          maxInboundDataLength: 8 << 20,
        }),
      },
    });
    return new RoguePeer(privateKey, libp2p);
  }

  /** The direct requests received so far, oldest first. */
  readonly received: Inbound[] = [];
  /** How it answers them: by default an empty reply to everything. */
  answer: Answerer = async () => undefined;

  /** Takes direct requests from now on (kept in `received`, answered by `answer`). */
  async serve(): Promise<void> {
    await this.libp2p.handle(WIRE.message, (stream) => this.#session(stream), { maxInboundStreams: 64 });
  }

  async #session(stream: Stream): Promise<void> {
    const lp = lpStream(stream, { maxDataLength: 8 << 20 });
    try {
      for (;;) {
        const bytes = (await lp.read()).subarray();
        const id = new DataView(bytes.buffer, bytes.byteOffset).getUint32(1);
        if (bytes[0] !== KIND.request) continue;
        const { type, author, body } = JSON.parse(Buffer.from(bytes.subarray(5)).toString('utf8')) as Inbound;
        this.received.push({ type, author, body });
        const reply = await this.answer({ type, author, body });
        await lp.write(
          reply
            ? frame(KIND.reply, id, await this.envelope(reply.type, reply.body))
            : frame(KIND.empty, id, new Uint8Array()),
        );
      }
    } catch {
      stream.abort(new Error('rogue session over'));
    }
  }

  get peerId(): string {
    return this.libp2p.peerId.toString();
  }

  async stop(): Promise<void> {
    await this.libp2p.stop();
  }

  async dial(address: string): Promise<void> {
    await this.libp2p.dial(multiaddr(address));
  }

  /** `{"v":1,"type","author","ts","nonce","body","sig"}`, sig over "mesh/1/envelope\n" + canonical JSON of the rest. */
  async envelope(type: string, body: unknown, overrides: EnvelopeOverrides = {}): Promise<Uint8Array> {
    const fields = {
      v: 1,
      type,
      author: overrides.author ?? this.peerId,
      ts: overrides.ts ?? new Date().toISOString(),
      nonce: overrides.nonce ?? randomBytes(16).toString('base64url'),
      body,
    };
    const key = overrides.key ?? this.key;
    const sig = await key.sign(utf8.encode(`mesh/1/envelope\n${canonical(fields)}`));
    return utf8.encode(JSON.stringify({ ...fields, sig: Buffer.from(sig).toString('base64') }));
  }

  /** A fresh direct session to `peer`, as a length-prefixed stream. */
  async session(peer: string, maxDataLength = 8 << 20): Promise<{ stream: Stream; lp: LengthPrefixedStream }> {
    const stream = await this.libp2p.dialProtocol(peerIdFromString(peer), WIRE.message, OPEN_MANY);
    return { stream, lp: lpStream(stream, { maxDataLength }) };
  }

  /**
   * Sends each payload as a request frame (ids 1, 2, …) on one fresh session and reads as many
   * replies as come before the stream ends or `timeoutMs` passes.
   */
  async requests(peer: string, payloads: Uint8Array[], timeoutMs = 10_000): Promise<RawReply[]> {
    const { stream, lp } = await this.session(peer);
    const replies: RawReply[] = [];
    try {
      let id = 0;
      for (const payload of payloads) await lp.write(frame(KIND.request, ++id, payload));
      const signal = AbortSignal.timeout(timeoutMs);
      while (replies.length < payloads.length) {
        const bytes = (await lp.read({ signal })).subarray();
        replies.push({ kind: bytes[0]!, text: Buffer.from(bytes.subarray(5)).toString('utf8') });
      }
      await stream.close();
    } catch {
      stream.abort(new Error('rogue done'));
    }
    return replies;
  }

  /** One request; its reply, or undefined when the target reset the stream instead. */
  async request(peer: string, payload: Uint8Array, timeoutMs?: number): Promise<RawReply | undefined> {
    return (await this.requests(peer, [payload], timeoutMs))[0];
  }

  /** Gossips exactly `bytes` on `topic`, signed at the pubsub layer by me. */
  async gossip(topic: string, bytes: Uint8Array): Promise<void> {
    await this.libp2p.services.pubsub.publish(topic, bytes);
  }

  /** Asks `peer` for a blob: `request` is the JSON (or raw bytes) of the request frame; the header's text, or 'reset'. */
  async blob(peer: string, request: unknown): Promise<string> {
    const stream = await this.libp2p.dialProtocol(peerIdFromString(peer), WIRE.blob, OPEN_MANY);
    const lp = lpStream(stream, { maxDataLength: 8 << 20 });
    try {
      await lp.write(request instanceof Uint8Array ? request : utf8.encode(JSON.stringify(request)));
      const header = Buffer.from((await lp.read({ signal: AbortSignal.timeout(10_000) })).subarray()).toString();
      stream.abort(new Error('enough'));
      return header;
    } catch {
      stream.abort(new Error('rogue done'));
      return 'reset';
    }
  }
}

/** A direct-protocol frame: kind byte, 4-byte big-endian exchange id, payload (the caller length-prefixes it). */
export function frame(kind: number, id: number, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(5 + payload.byteLength);
  bytes[0] = kind;
  new DataView(bytes.buffer).setUint32(1, id);
  bytes.set(payload, 5);
  return bytes;
}
