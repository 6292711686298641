// The blob protocol, /mesh/1/blob/1.0.0: the fetcher sends {cid} (length-prefixed JSON) and closes
// its side; the holder answers a header, {ok:true,size} or {ok:false,error}, then the bytes in
// length-prefixed chunks, and closes. Blobs are not enveloped: the CID is their proof, so the
// fetcher hashes as the bytes arrive and compares with the CID at the end. The holder serves a
// blob only to a peer its source allows (`forbidden` otherwise, whether it has the blob or not).
import { sha256OfCid } from '../../core/mesh/state/input-cids.js';
import { describeError } from '../../core/errors.js';
import type { Connection, PeerId, Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import * as z from '../../core/schemas/zod.js';
import { decodeJson, Id } from '../../core/schemas/index.js';
import { BlobReader } from './blob-reader.js';
import type { DropLedger } from './drops.js';
import { abortCode, BlobError } from './errors.js';
import type { MeshLibp2p } from './libp2p-node.js';
import { openStream } from './streams.js';

export const BLOB_PROTOCOL = '/mesh/1/blob/1.0.0';
/** Relayed connections too: work may flow over a relay while a direct connection is tried. */
export const BLOB_STREAM_LIMITS = { maxInboundStreams: 16, maxOutboundStreams: 16, runOnLimitedConnection: true };
/**
 * Fetches from one peer in flight at most (fetch-slots.ts): half the streams a holder takes in,
 * so that streams still closing on its side leave room for the next.
 */
export const FETCHES_PER_PEER = BLOB_STREAM_LIMITS.maxInboundStreams / 2;
/** How long a fetch waits when the caller passes no signal. */
const DEFAULT_FETCH_TIMEOUT_MS = 60_000;

/**
 * Bytes per chunk frame sent. Noise encrypts in frames of at most 65,519 bytes whatever we write,
 * so a chunk of 256 KiB is four full Noise frames and one short one (64 KiB chunks: one full and
 * one of 31 bytes, per chunk). On loopback, 64 KiB to 1 MiB measured the same within the noise.
 */
const BLOB_CHUNK_BYTES = 256 * 1024;
export const MAX_REQUEST_BYTES = 512;
const REQUEST_TIMEOUT_MS = 10_000;

export const BlobRequestSchema = z.strictObject({ cid: Id });

/** Where a node's blobs come from, and who may have them. */
export interface BlobSource {
  /** Whether `peer` may fetch `cid` from me; asked before anything is opened. */
  allows(peer: string, cid: string): boolean;
  /** The blob, or undefined when I do not have `cid`. */
  open(cid: string): { size: number; chunks: AsyncIterable<Uint8Array> } | undefined;
}

const utf8 = new TextEncoder();
const json = (value: unknown) => utf8.encode(JSON.stringify(value));

/** Answers one inbound blob request. Never throws. */
export async function serveBlob(
  source: BlobSource | undefined,
  drops: DropLedger,
  stream: Stream,
  connection: Connection,
  served: (bytes: number) => void = () => {},
): Promise<void> {
  const from = connection.remotePeer.toString();
  const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES });
  try {
    let frame: Uint8Array;
    try {
      frame = (await lp.read({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })).subarray();
    } catch (err) {
      drops.record(from, 'protocol_error', `blob request: ${describeError(err)}`);
      stream.abort(new Error('bad blob request'));
      return;
    }
    const request = decodeJson(BlobRequestSchema, Buffer.from(frame).toString('utf8'), MAX_REQUEST_BYTES);
    if (!request.ok || sha256OfCid(request.value.cid) === undefined) {
      drops.record(
        from,
        !request.ok && request.error.code !== 'invalid' ? 'malformed' : 'invalid',
        `blob request: ${request.ok ? `${request.value.cid} is not a raw sha256 CIDv1` : request.error.message}`,
      );
      await lp.write(json({ ok: false, error: 'bad_request' }));
      await stream.close();
      return;
    }
    if (source !== undefined && !source.allows(from, request.value.cid)) {
      await lp.write(json({ ok: false, error: 'forbidden' }));
      await stream.close();
      return;
    }
    const blob = source?.open(request.value.cid);
    if (blob === undefined) {
      await lp.write(json({ ok: false, error: 'not_found' }));
      await stream.close();
      return;
    }
    await lp.write(json({ ok: true, size: blob.size }));
    let sent = 0;
    for await (const chunk of blob.chunks) {
      for (let offset = 0; offset < chunk.byteLength; offset += BLOB_CHUNK_BYTES) {
        const piece = chunk.subarray(offset, offset + BLOB_CHUNK_BYTES);
        sent += piece.byteLength;
        if (sent > blob.size)
          throw new Error(`the source of ${request.value.cid} yields more than its ${blob.size} bytes`);
        await lp.write(piece);
      }
    }
    await stream.close(); // fewer bytes than announced: the fetcher sees a short read
    served(sent);
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(describeError(err)));
  }
}

export interface FetchOptions {
  /** The most bytes the caller accepts; a larger blob is refused before any of it is read. */
  maxBytes: number;
  /** Ends the fetch: BlobError `timeout` for an AbortSignal.timeout, else `aborted`. Default: 60 s. */
  signal?: AbortSignal;
}

/** The bytes of `cid` from `peer`, checked against the CID. Throws BlobError. */
export async function fetchBlob(
  libp2p: MeshLibp2p,
  peer: PeerId,
  cid: string,
  options: FetchOptions,
): Promise<Uint8Array> {
  const expected = sha256OfCid(cid);
  if (expected === undefined) throw new BlobError('invalid_cid', `${cid} is not a raw sha256 CIDv1`);
  const signal = options.signal ?? AbortSignal.timeout(DEFAULT_FETCH_TIMEOUT_MS);
  if (signal.aborted) throw new BlobError(abortCode(signal), `the fetch of ${cid} was not started`);
  let stream: Stream;
  try {
    stream = await openStream(libp2p, peer, BLOB_PROTOCOL, signal);
  } catch (err) {
    if (signal.aborted) throw new BlobError(abortCode(signal), `could not reach ${peer.toString()} in time`);
    throw new BlobError('unreachable', `could not open a stream to ${peer.toString()}: ${describeError(err)}`);
  }
  let received: Promise<Uint8Array>;
  try {
    const lp = lpStream(stream);
    await lp.write(json({ cid }), { signal });
    lp.unwrap(); // from here the reply is read by receiveBlob, not buffered by lpStream
    received = receiveBlob(stream, expected, options.maxBytes, signal);
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(describeError(err)));
    if (signal.aborted) throw new BlobError(abortCode(signal), 'could not send the request in time');
    throw new BlobError('protocol', `could not send the request: ${describeError(err)}`);
  }
  stream.close({ signal }).catch(() => {}); // a failure here resets the stream, which receiveBlob reports
  return received;
}

/** Feeds the reply to a BlobReader as the stream's message events bring it, until it ends or `signal` fires. */
function receiveBlob(stream: Stream, expected: Uint8Array, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new BlobReader(expected, maxBytes);
    const finish = (outcome: () => Uint8Array) => {
      stream.removeEventListener('message', onMessage);
      stream.removeEventListener('end', onEnd);
      stream.removeEventListener('close', onClose);
      signal.removeEventListener('abort', onAbort);
      try {
        resolve(outcome());
      } catch (err) {
        const error = err instanceof BlobError ? err : new BlobError('protocol', describeError(err));
        stream.abort(error); // a too_large blob stops here, before its bytes are read
        reject(error);
      }
    };
    const fail = (err: unknown) =>
      finish(() => {
        throw err;
      });
    const onMessage = (event: StreamMessageEvent) => {
      try {
        for (const bytes of event.data instanceof Uint8Array ? [event.data] : event.data) reader.push(bytes);
      } catch (err) {
        fail(err);
      }
    };
    const onEnd = () => finish(() => reader.finish());
    const onClose = (event: StreamCloseEvent) => {
      if (event.error !== undefined)
        fail(new BlobError('protocol', `the stream was reset: ${describeError(event.error)}`));
      else onEnd();
    };
    const onAbort = () =>
      fail(
        abortCode(signal) === 'timeout'
          ? new BlobError('timeout', 'the blob did not arrive in time')
          : new BlobError('aborted', 'the fetch was aborted'),
      );

    stream.addEventListener('message', onMessage);
    stream.addEventListener('end', onEnd);
    stream.addEventListener('close', onClose);
    signal.addEventListener('abort', onAbort);
    if (stream.readableEnded)
      onEnd(); // everything arrived before we listened
    else if (signal.aborted) onAbort();
  });
}
