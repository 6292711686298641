// The direct protocol, /mesh/1/msg/4.0.0: request/reply on one long-lived stream per peer and
// direction. A stream per exchange would cost a yamux round trip, a protocol negotiation and a
// handful of encrypted frames each time, more than the work a small unit does. Every frame is
// length-prefixed and starts with a kind (1 byte) and an exchange id (4 bytes, big-endian):
//   0 request: a signed envelope       1 reply: a signed envelope
//   2 empty reply (the handler had nothing to say)
//   3 error reply: {"error": reason}, when the request was dropped or could not be handled
// Replies come in any order. A frame that breaks the framing resets the stream. Each peer's
// requests draw on one rate limit across its sessions; past it they are answered `rate_limited`,
// and the session reads nothing more until the peer has earned a request back: a flood waits in
// its own send buffers (the stream's flow control), not in my memory.
import { describeError } from '../../core/errors.js';
import type { Connection, PeerId, Stream } from '@libp2p/interface';
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils';
import * as z from '../../core/schemas/zod.js';
import { decodeJson } from '../../core/schemas/index.js';
import type { DropLedger } from './drops.js';
import type { EnvelopeVerifier, VerifiedMessage } from './envelope.js';
import { abortCode, MeshError } from './errors.js';
import type { MeshLibp2p } from './libp2p-node.js';
import { openStream } from './streams.js';

export const MESSAGE_PROTOCOL = '/mesh/1/msg/4.0.0';
/** How long a request waits for its reply when the caller passes no signal. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Exchanges one stream carries at once: more wait on the sender's side; a sender that ignores this is told `busy`. */
const MAX_IN_FLIGHT = 32;
/** One session each way per connection; a few more while a broken one is replaced. */
/** Relayed connections too: work may flow over a relay while a direct connection is tried. */
export const MESSAGE_STREAM_LIMITS = { maxInboundStreams: 4, maxOutboundStreams: 4, runOnLimitedConnection: true };

export const FRAME = { request: 0, reply: 1, empty: 2, error: 3 } as const;
const HEADER_BYTES = 5;
export const ErrorFrameSchema = z.strictObject({ error: z.string().check(z.maxLength(64)) });
export const MAX_ERROR_BYTES = 128;

export interface MessageContext {
  via: 'gossip' | 'direct';
  /** The peer it came from: the connection's remote peer, or the gossip propagation source. */
  from: string;
  topic?: string;
}

export interface Reply {
  type: string;
  body: unknown;
}

export interface DirectPeer {
  libp2p: MeshLibp2p;
  verifier: EnvelopeVerifier;
  drops: DropLedger;
  /** Whether `peer` may send one more request of `bytes` now (its rate limit); false: refused unread. */
  admits(peer: string, bytes: number): boolean;
  /** How long until `peer` may send a request again. */
  admitsAgainInMs(peer: string): number;
  /** Runs the node's handler; may throw. */
  handle(message: VerifiedMessage, context: MessageContext): Promise<Reply | undefined>;
  /** Signs one of our envelopes, checked against the catalog; throws MeshError. */
  seal(type: string, body: unknown): Promise<Uint8Array>;
}

/** A frame: kind, exchange id and payload, in one buffer. */
export function encodeFrame(kind: number, id: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(HEADER_BYTES + payload.byteLength);
  frame[0] = kind;
  new DataView(frame.buffer).setUint32(1, id);
  frame.set(payload, HEADER_BYTES);
  return frame;
}

export function decodeFrame(bytes: Uint8Array): { kind: number; id: number; payload: Uint8Array } | undefined {
  if (bytes.byteLength < HEADER_BYTES || bytes[0]! > FRAME.error) return undefined;
  return {
    kind: bytes[0]!,
    id: new DataView(bytes.buffer, bytes.byteOffset).getUint32(1),
    payload: bytes.subarray(HEADER_BYTES),
  };
}

function framedStream(node: DirectPeer, stream: Stream): LengthPrefixedStream {
  const maxDataLength = node.verifier.maxEnvelopeBytes + HEADER_BYTES;
  // Frames are read as they arrive, so the buffer holds at most a few of them.
  return lpStream(stream, { maxDataLength, maxBufferSize: 2 * maxDataLength + 64 * 1024 });
}

/** Serves one inbound session until the peer closes it. Never throws: failures end as drops, error replies or a reset. */
export async function serveSession(node: DirectPeer, stream: Stream, connection: Connection): Promise<void> {
  const from = connection.remotePeer.toString();
  const lp = framedStream(node, stream);
  const inFlight = new Set<Promise<void>>();
  let requests = 0;
  const reply = (frame: Uint8Array) => lp.write(frame);
  /** Keeps an answer on the books until it is written; one that cannot be written resets the stream. */
  const track = (work: Promise<void>) => {
    const tracked: Promise<void> = work
      .catch((err: unknown) => stream.abort(err instanceof Error ? err : new Error(describeError(err))))
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  for (;;) {
    let bytes: Uint8Array;
    try {
      bytes = (await lp.read()).subarray();
    } catch (err) {
      const closedCleanly = !isOversizedFrame(err) && stream.remoteWriteStatus === 'closed' && requests > 0;
      if (!closedCleanly) {
        const reason = isOversizedFrame(err) ? 'oversized' : 'protocol_error';
        node.drops.record(from, reason, `request: ${describeError(err)}`);
        stream.abort(new Error(reason)); // the rest of an oversized frame is not worth reading
        return;
      }
      break;
    }
    const frame = decodeFrame(bytes);
    if (frame?.kind !== FRAME.request) {
      node.drops.record(from, 'protocol_error', 'not a request frame');
      stream.abort(new Error('protocol_error'));
      return;
    }
    requests++;
    if (!node.admits(from, bytes.byteLength)) {
      node.drops.record(from, 'rate_limited', `request of ${bytes.byteLength} bytes`);
      track(reply(errorFrame(frame.id, 'rate_limited')));
      const wait = node.admitsAgainInMs(from);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      continue;
    }
    if (inFlight.size >= MAX_IN_FLIGHT) {
      track(reply(errorFrame(frame.id, 'busy')));
      continue;
    }
    track(
      answer(node, from, frame.payload).then((payload) => reply(encodeFrame(payload.kind, frame.id, payload.bytes))),
    );
  }
  await Promise.all(inFlight);
  await stream.close().catch(() => undefined);
}

async function answer(
  node: DirectPeer,
  from: string,
  request: Uint8Array,
): Promise<{ kind: number; bytes: Uint8Array }> {
  const verdict = await node.verifier.verify(request, from, { via: 'request' });
  if (!verdict.ok) {
    node.drops.record(from, verdict.reason, verdict.detail, verdict.culprit);
    return { kind: FRAME.error, bytes: errorPayload(verdict.reason) };
  }
  try {
    const outcome = await node.handle(verdict.message, { via: 'direct', from });
    return outcome === undefined
      ? { kind: FRAME.empty, bytes: new Uint8Array(0) }
      : { kind: FRAME.reply, bytes: await node.seal(outcome.type, outcome.body) };
  } catch {
    return { kind: FRAME.error, bytes: errorPayload('handler_failed') }; // our failure, not the peer's: no drop is counted
  }
}

interface Pending {
  resolve(frame: { kind: number; payload: Uint8Array }): void;
  reject(err: MeshError): void;
}

/** My side of the sessions I opened: one per peer, opened on first use, replaced when it breaks. */
export class DirectClient {
  readonly #sessions = new Map<string, Promise<Session>>();

  constructor(private readonly node: DirectPeer) {}

  /**
   * Sends `request` (sealed envelope bytes) to `peer` and returns its verified reply, or undefined
   * when its handler returned nothing. Throws MeshError; a reply that fails verification is
   * counted as a drop against the peer. When `signal` fires, the wait ends at once with
   * MeshError `timeout` (an AbortSignal.timeout) or `aborted`. `type` is the request's: a reply of
   * another type than it takes is refused like any bad reply.
   */
  async request(
    peer: PeerId,
    request: Uint8Array,
    signal: AbortSignal,
    type?: string,
  ): Promise<VerifiedMessage | undefined> {
    const remote = peer.toString();
    if (signal.aborted) throw new MeshError(abortCode(signal), `the request to ${remote} was not sent`);
    const session = await this.#session(peer, signal);
    const frame = await session.exchange(request, signal);
    if (frame.kind === FRAME.empty) return undefined;
    if (frame.kind === FRAME.error) {
      const refusal =
        frame.payload.byteLength <= MAX_ERROR_BYTES
          ? decodeJson(ErrorFrameSchema, Buffer.from(frame.payload).toString('utf8'), MAX_ERROR_BYTES)
          : undefined;
      throw new MeshError(
        refusal?.ok ? 'rejected' : 'bad_reply',
        refusal?.ok ? `${remote} refused the request: ${refusal.value.error}` : 'an unreadable error reply',
      );
    }
    const verdict = await this.node.verifier.verify(frame.payload, remote, { via: 'reply', to: type });
    if (!verdict.ok) {
      this.node.drops.record(remote, verdict.reason, `reply: ${verdict.detail}`, verdict.culprit);
      throw new MeshError('bad_reply', `${verdict.reason}: ${verdict.detail}`);
    }
    return verdict.message;
  }

  async #session(peer: PeerId, signal: AbortSignal): Promise<Session> {
    const key = peer.toString();
    let session = this.#sessions.get(key);
    if (!session) {
      session = openStream(this.node.libp2p, peer, MESSAGE_PROTOCOL, signal).then(
        (stream) => new Session(this.node, key, stream, () => this.#sessions.delete(key)),
        (err: unknown) => {
          this.#sessions.delete(key);
          if (signal.aborted) throw new MeshError(abortCode(signal), `could not reach ${key} in time`);
          throw new MeshError('unreachable', `could not open a stream to ${key}: ${describeError(err)}`);
        },
      );
      this.#sessions.set(key, session);
    }
    return session;
  }
}

/** An exchange nobody waits for any more, whose reply is still to come. */
const ABANDONED: Pending = { resolve: () => {}, reject: () => {} };

class Session {
  readonly #pending = new Map<number, Pending>();
  readonly #waiting: Array<() => void> = [];
  readonly #lp: LengthPrefixedStream;
  #nextId = 0;
  #broken: MeshError | undefined;

  constructor(
    private readonly node: DirectPeer,
    private readonly remote: string,
    private readonly stream: Stream,
    private readonly onClose: () => void,
  ) {
    this.#lp = framedStream(node, stream);
    // #readReplies catches what the stream throws; anything else breaks the session the same way
    this.#readReplies().catch((err: unknown) => this.#break(`reading replies failed: ${describeError(err)}`));
  }

  async exchange(request: Uint8Array, signal: AbortSignal): Promise<{ kind: number; payload: Uint8Array }> {
    const timedOut = () =>
      new MeshError(
        abortCode(signal),
        abortCode(signal) === 'timeout'
          ? `no reply from ${this.remote} in time`
          : `the request to ${this.remote} was aborted`,
      );
    while (this.#pending.size >= MAX_IN_FLIGHT && !this.#broken) {
      if (signal.aborted) throw timedOut();
      await new Promise<void>((resolve, reject) => {
        this.#waiting.push(resolve);
        signal.addEventListener('abort', () => reject(timedOut()), { once: true });
      });
    }
    if (this.#broken) throw this.#broken;
    if (signal.aborted) throw timedOut();
    const id = (this.#nextId = (this.#nextId + 1) >>> 0);
    const reply = new Promise<{ kind: number; payload: Uint8Array }>((resolve, reject) =>
      this.#pending.set(id, { resolve, reject }),
    );
    // A write that fails breaks the session, which rejects this reply before anyone awaits it: an
    // unhandled rejection would end the process (seen when a peer was SIGKILLed mid-exchange).
    reply.catch(() => {});
    let written = false;
    // A request the peer has is still in its MAX_IN_FLIGHT after I stop waiting: it keeps its
    // place here until answered, or the next would be refused `busy` (a requester's settlements,
    // sent by the hundred, were lost so under load).
    const onAbort = () => (written ? this.#abandon(id, timedOut()) : this.#settle(id)?.reject(timedOut()));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.#lp.write(encodeFrame(FRAME.request, id, request), { signal });
      written = true;
      return await reply;
    } catch (err) {
      if (err instanceof MeshError) throw err;
      this.#break(`${this.remote} reset the exchange: ${describeError(err)}`);
      throw this.#broken!;
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (this.#pending.get(id) !== ABANDONED) this.#settle(id);
    }
  }

  /** Ends the caller's wait with `err`, keeping the exchange on the books until its reply comes. */
  #abandon(id: number, err: MeshError): void {
    const pending = this.#pending.get(id);
    if (!pending || pending === ABANDONED) return;
    this.#pending.set(id, ABANDONED);
    pending.reject(err);
  }

  /** Takes an exchange off the books, letting a waiting one in. */
  #settle(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    if (pending && this.#pending.delete(id)) this.#waiting.shift()?.();
    return pending;
  }

  async #readReplies(): Promise<void> {
    for (;;) {
      let bytes: Uint8Array;
      try {
        bytes = (await this.#lp.read()).subarray();
      } catch (err) {
        if (isOversizedFrame(err)) this.node.drops.record(this.remote, 'oversized', `reply: ${describeError(err)}`);
        this.#break(`${this.remote} reset the exchange: ${describeError(err)}`);
        return;
      }
      const frame = decodeFrame(bytes);
      if (!frame || frame.kind === FRAME.request) {
        this.node.drops.record(this.remote, 'protocol_error', 'not a reply frame');
        this.#break(`${this.remote} broke the framing`);
        return;
      }
      this.#settle(frame.id)?.resolve(frame); // a reply that comes after its timeout is dropped silently
    }
  }

  #break(reason: string): void {
    if (this.#broken) return;
    this.#broken = new MeshError('rejected', reason);
    this.onClose();
    this.stream.abort(new Error(reason));
    for (const id of this.#pending.keys()) this.#settle(id)?.reject(this.#broken);
    for (const wake of this.#waiting.splice(0)) wake();
  }
}

function errorPayload(reason: string): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ error: reason }));
}

function errorFrame(id: number, reason: string): Uint8Array {
  return encodeFrame(FRAME.error, id, errorPayload(reason));
}

/** lpStream's refusal of a length prefix over maxDataLength (or a prefix too long to be one). */
function isOversizedFrame(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError';
}
