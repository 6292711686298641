// The algorithm ids a unit can name, as every peer and the UI spell them. Which of them this node
// can run (its kernels, a GPU) is node/mesh/units/algorithms.ts's business.

export const ALGORITHM_VERSION = '1';
/** The algorithm id of a user's own module: the module itself travels by CID. */
export const CUSTOM_WASM = 'wasm';
/** The path tracer's tiles (wasm/render, params and input in docs/SCENE.md). */
export const RENDER_ALGORITHM = 'render/tile';
/** A user's WGSL compute shader (docs/UNIT_ABI.md, "WGSL units"): GPU only. */
export const SHADER_ALGORITHM = 'shader/execute_shader';
/** A user's WASI preview 1 program: core/schemas/wasi-job.ts. */
export { WASI_PROGRAM } from '../schemas/wasi-job.js';
