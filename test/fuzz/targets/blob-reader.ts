// The fetcher's side of a blob reply (node/p2p/blob-reader.ts), fed arbitrary bytes in arbitrary
// pieces: the first byte sets the piece size and the announced-size cap, the rest is the reply.
// It answers the checked blob or throws BlobError, and never holds more than the cap.
import { createHash } from 'node:crypto';
import { BlobReader } from '../../../src-main/node/p2p/blob-reader.js';
import { BlobError } from '../../../src-main/node/p2p/errors.js';
import { check, refusesWith } from './expect.js';

/** Caps small enough that an exec allocates little, large enough for the fuzzer's replies. */
const MAX_BYTES = [0, 1, 64, 4096, 1 << 20] as const;

export function fuzz(data: Buffer): void {
  if (data.byteLength === 0) return;
  const piece = (data[0]! & 0x1f) + 1;
  const maxBytes = MAX_BYTES[(data[0]! >> 5) % MAX_BYTES.length]!;
  const reply = data.subarray(1);
  // The expected digest is the one of the reply's own tail, so a well-framed reply can succeed.
  const digest = createHash('sha256')
    .update(reply.subarray(reply.length >> 1))
    .digest();
  refusesWith([BlobError], () => {
    const reader = new BlobReader(digest, maxBytes);
    for (let at = 0; at < reply.byteLength; at += piece) reader.push(reply.subarray(at, at + piece));
    const blob = reader.finish();
    check(blob.byteLength <= maxBytes, `a blob of ${blob.byteLength} bytes passed a cap of ${maxBytes}`);
  });
}
