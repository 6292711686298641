// The crops a requester re-renders to check a provider's frame: `count` rectangles, each a share
// of the frame's width and height, at places drawn by the caller's random source (the core has no
// randomness of its own), so a provider cannot know which pixels will be checked.
import type { PixelRect } from './tiles.js';

/** `count` crops of `side` (0–1] of the frame's width and height each, at random places. */
export function pickCrops(
  width: number,
  height: number,
  count: number,
  side: number,
  random: () => number,
): PixelRect[] {
  if (!(side > 0 && side <= 1)) throw new RangeError(`a crop's side is a share of the frame in (0, 1], not ${side}`);
  const w = Math.max(1, Math.round(width * side));
  const h = Math.max(1, Math.round(height * side));
  return Array.from({ length: count }, () => {
    const x0 = Math.min(width - w, Math.floor(random() * (width - w + 1)));
    const y0 = Math.min(height - h, Math.floor(random() * (height - h + 1)));
    return { x0, y0, x1: x0 + w, y1: y0 + h };
  });
}
