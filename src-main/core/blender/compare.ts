// Verification by pixels, not bytes: two renders of the same tile at the same seed and samples
// agree when the share of their identical 8-bit pixels is above IDENTICAL_SHARE. The threshold is
// measured (docs/BLENDER.md, "The verification threshold"): honest renders on one build agree in
// every pixel and on another CPU code path in ~99 %; a wrong seed or fewer samples leaves ~10 %.
import type { Rgba } from './tiles.js';

/** The least share of identical pixels for two renders to be the same render. */
export const IDENTICAL_SHARE = 0.95;

/** The share (0–1) of pixels whose four channels are equal in both images (of the same size). */
export function identicalShare(a: Rgba, b: Rgba): number {
  if (a.width !== b.width || a.height !== b.height)
    throw new RangeError(`compared images differ in size: ${a.width}×${a.height} and ${b.width}×${b.height}`);
  const pixels = a.width * a.height;
  if (pixels === 0) return 1;
  let same = 0;
  for (let i = 0; i < pixels * 4; i += 4)
    if (
      a.data[i] === b.data[i] &&
      a.data[i + 1] === b.data[i + 1] &&
      a.data[i + 2] === b.data[i + 2] &&
      a.data[i + 3] === b.data[i + 3]
    )
      same++;
  return same / pixels;
}
