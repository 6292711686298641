// A render's PNG decoded to 8-bit RGBA pixels (fast-png), for stitching and for comparing renders
// by their pixels: Blender writes RGBA 8-bit (our settings ask for it), anything else is refused.
import { decode } from 'fast-png';
import type { Rgba } from '../../core/blender/tiles.js';

export function decodeRgba(png: Uint8Array): Rgba {
  const image = decode(png);
  if (image.depth !== 8 || image.channels !== 4 || image.palette !== undefined)
    throw new Error(`a render's PNG must be 8-bit RGBA, not ${image.channels} channels of ${image.depth} bits`);
  return { width: image.width, height: image.height, data: new Uint8Array(image.data) };
}
