// /mesh/1/invite/1.0.0: the invited node proves an invite's secret to the inviter. One
// length-prefixed JSON request ({v, id, secret, name?}, ≤ 1 KiB), one reply ({ok, name?} or
// {ok: false, code, message}), then both close. The connection's Noise handshake already proved
// who each side is, so the inviter learns the redeemer's peer id from it, not from the request.
// It runs on relayed connections too: two people behind NATs meet through a relay first.
import type { Connection, PeerId, Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import { describeError } from '../../core/errors.js';
import {
  MAX_REDEEM_BYTES,
  RedeemReplySchema,
  RedeemRequestSchema,
  type RedeemReply,
  type RedeemRequest,
} from '../../core/reach/invite.js';
import { decodeJson } from '../../core/schemas/index.js';
import type { DropLedger } from './drops.js';
import { MeshError } from './errors.js';
import type { MeshLibp2p } from './libp2p-node.js';
import { openStream } from './streams.js';

export const INVITE_PROTOCOL = '/mesh/1/invite/1.0.0';
export const INVITE_STREAM_LIMITS = { maxInboundStreams: 4, maxOutboundStreams: 4, runOnLimitedConnection: true };
const EXCHANGE_TIMEOUT_MS = 10_000;

/** The inviter's answer to a request from `peer` (whose identity the connection proved). */
export type RedeemHandler = (peer: string, request: RedeemRequest) => Promise<RedeemReply>;

const utf8 = new TextEncoder();

/** Answers one redeem request. Never throws. */
export async function serveRedeem(
  handler: RedeemHandler | undefined,
  drops: DropLedger,
  stream: Stream,
  connection: Connection,
): Promise<void> {
  const from = connection.remotePeer.toString();
  const lp = lpStream(stream, { maxDataLength: MAX_REDEEM_BYTES });
  const signal = AbortSignal.timeout(EXCHANGE_TIMEOUT_MS);
  try {
    const frame = (await lp.read({ signal })).subarray();
    const request = decodeJson(RedeemRequestSchema, Buffer.from(frame).toString('utf8'), MAX_REDEEM_BYTES);
    let reply: RedeemReply;
    if (!request.ok) {
      drops.record(
        from,
        request.error.code === 'invalid' ? 'invalid' : 'malformed',
        `invite: ${request.error.message}`,
      );
      reply = { ok: false, code: 'bad_request', message: request.error.message.slice(0, 256) };
    } else if (handler === undefined) reply = { ok: false, code: 'unknown_invite', message: 'no invites here' };
    else reply = await handler(from, request.value);
    await lp.write(utf8.encode(JSON.stringify(reply)), { signal });
    await stream.close({ signal });
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(describeError(err)));
  }
}

/** Shows `request` to `peer` (already dialled or dialable) and returns its checked reply. Throws MeshError. */
export async function redeem(
  libp2p: MeshLibp2p,
  peer: PeerId,
  request: RedeemRequest,
  signal: AbortSignal,
): Promise<RedeemReply> {
  let stream: Stream;
  try {
    stream = await openStream(libp2p, peer, INVITE_PROTOCOL, signal);
  } catch (err) {
    throw new MeshError('unreachable', `could not reach ${peer.toString()}: ${describeError(err)}`);
  }
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_REDEEM_BYTES });
    await lp.write(utf8.encode(JSON.stringify(request)), { signal });
    const frame = (await lp.read({ signal })).subarray();
    const reply = decodeJson(RedeemReplySchema, Buffer.from(frame).toString('utf8'), MAX_REDEEM_BYTES);
    if (!reply.ok) throw new MeshError('bad_reply', `the inviter's reply: ${reply.error.message}`);
    await stream.close({ signal }).catch(() => {});
    return reply.value;
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(describeError(err)));
    if (err instanceof MeshError) throw err;
    throw new MeshError(signal.aborted ? 'timeout' : 'unreachable', `invite exchange: ${describeError(err)}`);
  }
}
