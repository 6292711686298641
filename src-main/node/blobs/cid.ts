// Content ids for blobs (modules, inputs, outputs): CIDv1, raw codec, sha256, base32 — the
// libp2p/IPFS ecosystem's own form, so a blob's id says how to check it.
import { createHash } from 'node:crypto';
import { cidOfSha256 } from '../../core/mesh/input-cids.js';

/** The CID of `bytes` (synchronous: node's sha256). */
export function cidOfBytes(bytes: Uint8Array): string {
  return cidOfDigest(createHash('sha256').update(bytes).digest());
}

/**
 * The CID of a blob whose sha256 is `digest` (a streamed blob hashes as it goes), spelled by the
 * core (a unit's output's, at every unit: a third of multiformats' time; test/core/unit-table.test.ts
 * checks that multiformats spells the same).
 */
export function cidOfDigest(digest: Uint8Array): string {
  return cidOfSha256(digest);
}
