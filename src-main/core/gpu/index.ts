// GPU units: the runner protocol, user WGSL shaders and their caps, the node's GPU status.
export * from './adapter.js';
export * from './protocol.js';
export * from './shader.js';
export * from './status.js';
