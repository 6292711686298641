export { cidOfBytes } from './cid.js';
export { BlobStore } from './store.js';
export { BlobStoreError, type BlobStoreErrorCode } from './errors.js';
export { OPEN_CHUNK_BYTES } from './files.js';
export { SMALL_BLOB_BYTES } from './small-blobs.js';
