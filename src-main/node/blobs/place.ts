// Where a blob lives: its row's key (the sha256 its CID names) and the file it would be. The
// file's path is made only when asked for: most blobs are rows.
import { join } from 'node:path';
import { sha256OfCid } from '../../core/mesh/state/input-cids.js';

export class BlobPlace {
  constructor(
    private readonly dir: string,
    private readonly cid: string,
    readonly digest: Uint8Array,
  ) {}

  /**
   * Sharded by the next-to-last two characters, as IPFS's flatfs does: every CID starts alike, and
   * the last character carries only 3 bits of the digest.
   */
  get path(): string {
    return join(this.dir, this.cid.slice(-3, -1), this.cid);
  }
}

/**
 * The place of `cid` under `dir`; undefined unless it is the canonical form of a raw sha256 CIDv1:
 * one file per blob, and a name of base32 letters and digits only (a string of any other length is
 * refused before it is read).
 */
export function placeOf(dir: string, cid: unknown): BlobPlace | undefined {
  if (typeof cid !== 'string') return undefined;
  const digest = sha256OfCid(cid);
  return digest === undefined ? undefined : new BlobPlace(dir, cid, digest);
}
