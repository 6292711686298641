export { cidOfBytes } from './cid.js';
export { BlobStore, BlobStoreError, OPEN_CHUNK_BYTES, type BlobStoreErrorCode } from './store.js';
export { SMALL_BLOB_BYTES } from './small-blobs.js';
