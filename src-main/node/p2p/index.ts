export { MeshNetwork, type MeshNetworkOptions, type PeerEvent } from './network.js';
export { ENVELOPE_OVERHEAD_BYTES, type MessageCatalog, type VerifiedMessage } from './envelope.js';
export { MESSAGE_PROTOCOL, type MessageContext } from './request-protocol.js';
export type { BlobSource } from './blobs.js';
export { BlobError, MeshError, type DropReason } from './errors.js';
export { Reach } from './reach.js';
export { Redialer } from './redial.js';
