// The ways the blob store can fail, as codes a caller can branch on, and the wrapper that makes a
// file-system step's failure one of them.
import { CodedError, describeError } from '../../core/errors.js';

export type BlobStoreErrorCode =
  /** The bytes do not hash to the CID they were offered under. */
  | 'hash_mismatch'
  /** More bytes than the store's maxBlobBytes. */
  | 'too_large'
  /** Not a raw sha256 CIDv1 in its canonical base32 form. */
  | 'bad_cid'
  /** The file system failed (disk full, permissions...). */
  | 'io_failed';

export class BlobStoreError extends CodedError<BlobStoreErrorCode> {
  override readonly name = 'BlobStoreError';
}

/** Runs a file-system step, turning its failure into a BlobStoreError. */
export function ioStep<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    throw new BlobStoreError('io_failed', `${what}: ${describeError(err)}`);
  }
}
