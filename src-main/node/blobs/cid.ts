// Content ids for blobs (modules, inputs, outputs): CIDv1, raw codec, sha256, base32 — the
// libp2p/IPFS ecosystem's own form, so a blob's id says how to check it.
import { hash } from 'node:crypto';
import { cidOfSha256 } from '../../core/mesh/state/input-cids.js';

/**
 * The CID of `bytes` (synchronous: node's sha256, in one call: a third less than createHash's three
 * on a 64-byte output), spelled by the core (a unit's output's, at every unit: a third of
 * multiformats' time; test/core/unit-table.test.ts checks that multiformats spells the same). A blob
 * streamed in hashes as it goes and calls the core's cidOfSha256 itself.
 */
export function cidOfBytes(bytes: Uint8Array): string {
  return cidOfSha256(hash('sha256', bytes, 'buffer'));
}
