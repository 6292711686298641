// Where a render job's tiles go on the mosaic. A render job has one unit per tile (its tiles as
// rendered: jobs.frames' `tile`), frame after frame, each frame's tiles in splitFrame's order
// (core/render/tiles.ts); a unit's index in its job therefore names its frame and its tile.
import type { Tile } from '../../src-main/core/render/tiles.js';

export type { Tile };

/** Which frame a unit renders and which of that frame's tiles it is. */
export function placeUnit(
  unitIndex: number,
  firstFrame: number,
  tilesPerFrame: number,
): { frame: number; tileIndex: number } {
  return { frame: firstFrame + Math.floor(unitIndex / tilesPerFrame), tileIndex: unitIndex % tilesPerFrame };
}

/**
 * Copies a tile's RGBA8 bytes into a frame buffer at the tile's place. Returns an error, and
 * changes nothing, if the tile is not inside the frame or its bytes are not w×h×4.
 */
export function blitTile(
  frame: Uint8ClampedArray,
  frameWidth: number,
  tile: Tile,
  rgba: Uint8Array,
): string | undefined {
  const frameHeight = frame.length / (frameWidth * 4);
  if (
    tile.x < 0 ||
    tile.y < 0 ||
    tile.w < 1 ||
    tile.h < 1 ||
    tile.x + tile.w > frameWidth ||
    tile.y + tile.h > frameHeight
  ) {
    return `tile ${tile.w}×${tile.h} at ${tile.x},${tile.y} is not inside the ${frameWidth}×${frameHeight} frame`;
  }
  if (rgba.length !== tile.w * tile.h * 4)
    return `a ${tile.w}×${tile.h} tile has ${tile.w * tile.h * 4} bytes, not ${rgba.length}`;
  for (let row = 0; row < tile.h; row++) {
    frame.set(rgba.subarray(row * tile.w * 4, (row + 1) * tile.w * 4), ((tile.y + row) * frameWidth + tile.x) * 4);
  }
  return undefined;
}
