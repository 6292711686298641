// The render job's pure half: the scene format (with per-object motion), its compilation into the
// kernel's input blob for one frame, the split of frames into tile units and back, and how big a unit is.
export * from './scene.js';
export * from './scene-binary.js';
export { framesShareBlob, motionOffset } from './motion.js';
export { buildBvh, BVH_MAX_DEPTH } from './bvh.js';
export * from './tiles.js';
export * from './estimate.js';
export * from './scene-gpu.js';
export * from './compare.js';
export * from './tile-verify.js';
export * from './unit-side.js';
