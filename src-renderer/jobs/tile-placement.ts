// Where a render job's tiles go on the mosaic. A render job has one unit per tile, frame after
// frame, each frame's tiles in splitFrame's order (core/render/tiles.ts); a unit's index in its
// job therefore names its frame and its tile. The job's views give the frame size and the number
// of tiles per frame but not the tile size, so a tile's rectangle comes from its render.tile event
// when the UI saw one, and otherwise from the tile size that fits what is known (inferTileSize).
import { splitFrame, type Tile } from '../../src-main/core/render/tiles.js';

export type { Tile };

/** Which frame a unit renders and which of that frame's tiles it is. */
export function placeUnit(
  unitIndex: number,
  firstFrame: number,
  tilesPerFrame: number,
): { frame: number; tileIndex: number } {
  return { frame: firstFrame + Math.floor(unitIndex / tilesPerFrame), tileIndex: unitIndex % tilesPerFrame };
}

/** What is known about one tile: its rectangle (from an event) or the length of its RGBA output. */
export interface TileClue {
  tileIndex: number;
  rect?: Tile;
  bytes?: number;
}

/**
 * The tile size that splits a width×height frame into `tilesPerFrame` tiles and agrees with every
 * clue, the smallest if several do; undefined if none does.
 */
export function inferTileSize(
  width: number,
  height: number,
  tilesPerFrame: number,
  clues: readonly TileClue[],
): number | undefined {
  for (let size = 1; size <= Math.max(width, height); size++) {
    if (Math.ceil(width / size) * Math.ceil(height / size) !== tilesPerFrame) continue;
    const tiles = splitFrame(width, height, size);
    if (!tiles.ok) return undefined;
    const agrees = clues.every(({ tileIndex, rect, bytes }) => {
      const tile = tiles.value[tileIndex];
      if (!tile) return false;
      if (rect && (rect.x !== tile.x || rect.y !== tile.y || rect.w !== tile.w || rect.h !== tile.h)) return false;
      return bytes === undefined || bytes === tile.w * tile.h * 4;
    });
    if (agrees) return size;
  }
  return undefined;
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
