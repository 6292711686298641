// The direct protocol, /mesh/1/msg/1.0.0: one stream per exchange. The requester writes one
// length-prefixed request envelope and closes its side; the responder writes one frame back and
// closes: a reply envelope, an empty frame (the handler had nothing to say), or an error frame
// {"error": reason} when it dropped the request. A request that breaks the framing is reset.
import type { Connection, PeerId, Stream } from '@libp2p/interface';
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils';
import { z } from 'zod';
import { decodeJson } from '../../core/schemas/index.js';
import type { DropLedger } from './drops.js';
import type { EnvelopeVerifier, VerifiedMessage } from './envelope.js';
import { MeshError, messageOf } from './errors.js';
import type { MeshLibp2p } from './node.js';

export const MESSAGE_PROTOCOL = '/mesh/1/msg/1.0.0';
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** How long a responder gives one exchange, reading, handling and replying, before resetting it. */
const SERVE_TIMEOUT_MS = 30_000;

/** Streams of this protocol open at once on one connection, each way. */
export const MESSAGE_STREAM_LIMITS = { maxInboundStreams: 32, maxOutboundStreams: 64 };

/** An envelope cannot fit in this many bytes (its signature alone is 88), so a frame this small is an error frame. */
const MAX_ERROR_FRAME_BYTES = 128;
const ErrorFrameSchema = z.strictObject({ error: z.string().max(64) });

const EMPTY_FRAME = new Uint8Array(0);
const utf8 = new TextEncoder();

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
  /** Runs the node's handler; may throw. */
  handle(message: VerifiedMessage, context: MessageContext): Promise<Reply | undefined>;
  /** Signs one of our envelopes, checked against the catalog; throws MeshError. */
  seal(type: string, body: unknown): Promise<Uint8Array>;
}

/** Answers one inbound request stream. Never throws: every failure ends as a drop, an error frame or a reset. */
export async function serveRequest(node: DirectPeer, stream: Stream, connection: Connection): Promise<void> {
  const from = connection.remotePeer.toString();
  const signal = AbortSignal.timeout(SERVE_TIMEOUT_MS);
  const lp = lpStream(stream, { maxDataLength: node.verifier.maxEnvelopeBytes });
  try {
    let request: Uint8Array;
    try {
      request = (await lp.read({ signal })).subarray();
    } catch (err) {
      const reason = isOversizedFrame(err) ? 'oversized' : 'protocol_error';
      node.drops.record(from, reason, `request: ${messageOf(err)}`);
      stream.abort(new Error(reason)); // the rest of an oversized frame is not worth reading
      return;
    }
    const verdict = await node.verifier.verify(request, from);
    if (!verdict.ok) {
      node.drops.record(from, verdict.reason, verdict.detail);
      await answer(lp, stream, errorFrame(verdict.reason), signal);
      return;
    }
    let reply: Uint8Array;
    try {
      const outcome = await node.handle(verdict.message, { via: 'direct', from });
      reply = outcome === undefined ? EMPTY_FRAME : await node.seal(outcome.type, outcome.body);
    } catch {
      reply = errorFrame('handler_failed'); // our failure, not the peer's: no drop is counted
    }
    await answer(lp, stream, reply, signal);
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)));
  }
}

async function answer(lp: LengthPrefixedStream, stream: Stream, frame: Uint8Array, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  await lp.write(frame, { signal });
  await stream.close({ signal });
}

/**
 * Sends `request` (sealed envelope bytes) to `peer` and returns its verified reply, or undefined
 * when its handler returned nothing. Throws MeshError; a reply that fails verification is
 * counted as a drop against the peer.
 */
export async function sendRequest(node: DirectPeer, peer: PeerId, request: Uint8Array, timeoutMs: number): Promise<VerifiedMessage | undefined> {
  const signal = AbortSignal.timeout(timeoutMs);
  const remote = peer.toString();
  let stream: Stream;
  try {
    stream = await node.libp2p.dialProtocol(peer, MESSAGE_PROTOCOL, { signal });
  } catch (err) {
    if (signal.aborted) throw new MeshError('timeout', `could not reach ${remote} within ${timeoutMs} ms`);
    throw new MeshError('unreachable', `could not open a stream to ${remote}: ${messageOf(err)}`);
  }
  const lp = lpStream(stream, { maxDataLength: node.verifier.maxEnvelopeBytes });
  let frame: Uint8Array;
  try {
    await lp.write(request, { signal });
    await stream.close({ signal });
    frame = (await lp.read({ signal })).subarray();
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)));
    if (signal.aborted) throw new MeshError('timeout', `no reply from ${remote} within ${timeoutMs} ms`);
    if (isOversizedFrame(err)) {
      node.drops.record(remote, 'oversized', `reply: ${messageOf(err)}`);
      throw new MeshError('bad_reply', `oversized: ${messageOf(err)}`);
    }
    throw new MeshError('rejected', `${remote} reset the exchange: ${messageOf(err)}`);
  }
  if (frame.byteLength === 0) return undefined;
  if (frame.byteLength <= MAX_ERROR_FRAME_BYTES) {
    const refusal = decodeJson(ErrorFrameSchema, Buffer.from(frame).toString('utf8'), MAX_ERROR_FRAME_BYTES);
    if (refusal.ok) throw new MeshError('rejected', `${remote} refused the request: ${refusal.value.error}`);
  }
  const verdict = await node.verifier.verify(frame, remote);
  if (!verdict.ok) {
    node.drops.record(remote, verdict.reason, `reply: ${verdict.detail}`);
    throw new MeshError('bad_reply', `${verdict.reason}: ${verdict.detail}`);
  }
  return verdict.message;
}

function errorFrame(reason: string): Uint8Array {
  return utf8.encode(JSON.stringify({ error: reason }));
}

/** lpStream's refusal of a length prefix over maxDataLength (or a prefix too long to be one). */
export function isOversizedFrame(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError';
}
