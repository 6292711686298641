// The small frames of the stream protocols, by the first byte: a direct-protocol frame
// (node/p2p/request-protocol.ts: kind, exchange id, payload) and its error reply, a blob request
// (node/p2p/blobs.ts), an invite redeem request and its reply (node/p2p/invite-protocol.ts), each
// decoded as the protocol decodes it, under the protocol's own cap.
import type { z } from 'zod/mini';
import { MAX_REDEEM_BYTES, RedeemReplySchema, RedeemRequestSchema } from '../../../src-main/core/reach/invite.js';
import { decodeJson } from '../../../src-main/core/schemas/index.js';
import { BlobRequestSchema, MAX_REQUEST_BYTES } from '../../../src-main/node/p2p/blobs.js';
import { decodeFrame, ErrorFrameSchema, FRAME, MAX_ERROR_BYTES } from '../../../src-main/node/p2p/request-protocol.js';
import { check, expectDecoded } from './expect.js';

const JSON_FRAMES: readonly [string, z.ZodMiniType, number][] = [
  ['error reply', ErrorFrameSchema, MAX_ERROR_BYTES],
  ['blob request', BlobRequestSchema, MAX_REQUEST_BYTES],
  ['redeem request', RedeemRequestSchema, MAX_REDEEM_BYTES],
  ['redeem reply', RedeemReplySchema, MAX_REDEEM_BYTES],
];

export function fuzz(data: Buffer): void {
  if (data.byteLength === 0) return;
  const choice = data[0]! % (JSON_FRAMES.length + 1);
  const bytes = data.subarray(1);
  if (choice === JSON_FRAMES.length) {
    const frame = decodeFrame(bytes);
    if (frame === undefined) return;
    check(Object.values(FRAME).includes(frame.kind as 0), `a frame of unknown kind ${frame.kind}`);
    check(frame.payload.byteLength === bytes.byteLength - 5, 'a payload of the wrong length');
    return;
  }
  const [what, schema, maxBytes] = JSON_FRAMES[choice]!;
  expectDecoded(decodeJson(schema, bytes.toString('utf8'), maxBytes), what);
}
