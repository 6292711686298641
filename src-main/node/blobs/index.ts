export { cidOfBytes } from './cid.js';
export { BlobStore, BlobStoreError, OPEN_CHUNK_BYTES, type BlobStoreErrorCode } from './store.js';
