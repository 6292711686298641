// The render job's pure half: the scene format, its compilation into the kernel's input blob, and
// the split of frames into tile units and back.
export * from './scene.js';
export * from './scene-binary.js';
export { buildBvh, BVH_MAX_DEPTH, type Bvh } from './bvh.js';
export * from './tiles.js';
