export { cidOfBytes } from './cid.js';
export { BlobStore, BlobStoreError, type BlobStoreErrorCode } from './store.js';
export { OPEN_CHUNK_BYTES } from './files.js';
export { SMALL_BLOB_BYTES } from './small-blobs.js';
