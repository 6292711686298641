export {
  MeshNetwork,
  DEFAULT_CLOCK_SKEW_MS,
  type MeshNetworkOptions,
  type MessageHandler,
  type PeerEvent,
  type PeerListener,
} from './network.js';
export { ENVELOPE_OVERHEAD_BYTES, type MessageCatalog, type VerifiedMessage } from './envelope.js';
export { MESSAGE_PROTOCOL, type MessageContext, type Reply } from './direct.js';
export { BLOB_PROTOCOL, type BlobSource, type FetchOptions } from './blobs.js';
export { BlobError, MeshError, type BlobErrorCode, type DropReason, type MeshErrorCode } from './errors.js';
export type { DropListener } from './drops.js';
