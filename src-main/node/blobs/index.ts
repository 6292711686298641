export { cidOfBytes, cidOfDigest, digestOfCid } from './cid.js';
export {
  BlobStore,
  BlobStoreError,
  DEFAULT_MAX_BLOB_BYTES,
  OPEN_CHUNK_BYTES,
  type BlobStoreErrorCode,
  type BlobStoreOptions,
} from './store.js';
