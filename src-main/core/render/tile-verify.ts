// How render tiles that are not bit-exact are verified (docs/GPU.md, "Verification"). A GPU works
// in f32 and the WASM kernel in f64, with the same random streams, so an honest GPU tile differs
// from the CPU's by a little rounding here and there: two tiles AGREE when their PSNR is at least
// the unit's tolerance. A GPU tile is also SPOT-CHECKED: the requester renders the same tile at a
// few samples per pixel on its own CPU, and both images, box-averaged to wash out the sampling
// noise, must be close. That catches a worker returning garbage (noise, black, another tile or
// frame) even when nobody else computed the unit. Thresholds were measured on the sample scenes:
// the table is in docs/GPU.md.
import { boxDownsample, psnr } from './compare.js';

/** The comparator a render unit that may run on a GPU declares (WorkUnit.verification). */
export const RENDER_COMPARATOR = 'render_psnr';
/**
 * dB. Honest GPU (SwiftShader) and CPU tiles of the same unit measured at least 57 dB (most tiles
 * byte-identical); a 1-spp render passed off as the unit reached 34 dB, a tile of another place
 * 25 dB. 40 leaves room for a real GPU's faster, looser f32 maths.
 */
export const RENDER_TOLERANCE_DB = 40;

export const SPOT_CHECK = {
  /** Samples per pixel of the requester's CPU render (at most the unit's own). */
  spp: 2,
  /** Both images are averaged over blocks of this many pixels a side before they are compared. */
  factor: 4,
  /**
   * dB of the averaged images: honest GPU tiles (16 and 64 spp) against a 2-spp CPU render
   * measured at least 23.7; noise at most 15, black 5.8, white 17.6.
   */
  minPsnrDb: 20,
} as const;

/** Whether two tiles of the same unit agree within `toleranceDb` (identical bytes always do). */
export function tilesAgree(a: Uint8Array, b: Uint8Array, toleranceDb: number): boolean {
  return a.length === b.length && psnr(a, b) >= toleranceDb;
}

/** Whether a tile passes its spot-check against the requester's low-spp CPU render of it. */
export function spotCheckPasses(tile: Uint8Array, cpuLowSpp: Uint8Array, w: number, h: number): boolean {
  if (tile.length !== w * h * 4 || cpuLowSpp.length !== tile.length) return false;
  const a = boxDownsample(tile, w, h, SPOT_CHECK.factor);
  const b = boxDownsample(cpuLowSpp, w, h, SPOT_CHECK.factor);
  return psnr(a.rgba, b.rgba) >= SPOT_CHECK.minPsnrDb;
}
