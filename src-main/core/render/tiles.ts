// A frame split into tiles (one unit each), the params the render kernel takes per tile, and the
// stitching of the tiles' RGBA8 outputs back into a frame. Because the kernel seeds its random
// numbers per pixel, the stitched frame is byte-identical to one tile covering the whole frame.

import { TILE_LIMITS } from '../schemas/render-job.js';

export interface Tile {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** What the render kernel reads as a unit's params (docs/SCENE.md). */
export interface TileParams extends Tile {
  frame: number;
  width: number;
  height: number;
  spp: number;
  /** u32, derived by the caller from the job, so replicas of a unit render the same bytes. */
  seed: number;
}

export type TileResult<T> = { ok: true; value: T } | { ok: false; error: string };

const isInt = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;

/** The tiles of a width×height frame, row by row from the top left; edge tiles are cut to fit. */
export function splitFrame(width: number, height: number, tileSize: number): TileResult<Tile[]> {
  if (!isInt(width, 1, TILE_LIMITS.frameSide) || !isInt(height, 1, TILE_LIMITS.frameSide)) {
    return { ok: false, error: `frame size must be whole numbers in 1..${TILE_LIMITS.frameSide}` };
  }
  if (!isInt(tileSize, 1, TILE_LIMITS.frameSide))
    return { ok: false, error: `tile size must be a whole number in 1..${TILE_LIMITS.frameSide}` };
  const tiles: Tile[] = [];
  for (let y = 0; y < height; y += tileSize) {
    for (let x = 0; x < width; x += tileSize) {
      tiles.push({ x, y, w: Math.min(tileSize, width - x), h: Math.min(tileSize, height - y) });
    }
  }
  return { ok: true, value: tiles };
}

/** The kernel params for one tile of one frame. */
export function tileParams(
  frame: number,
  width: number,
  height: number,
  tile: Tile,
  spp: number,
  seed: number,
): TileParams {
  return { frame, width, height, x: tile.x, y: tile.y, w: tile.w, h: tile.h, spp, seed };
}

/**
 * Copies each tile's RGBA8 output (w*h*4 bytes) into a width×height frame buffer. Every tile is
 * checked before anything is copied, so a bad tile leaves no half-written frame.
 */
export function stitchTiles(
  width: number,
  height: number,
  tiles: ReadonlyArray<{ tile: Tile; rgba: Uint8Array }>,
): TileResult<Uint8Array> {
  if (!isInt(width, 1, TILE_LIMITS.frameSide) || !isInt(height, 1, TILE_LIMITS.frameSide)) {
    return { ok: false, error: `frame size must be whole numbers in 1..${TILE_LIMITS.frameSide}` };
  }
  for (const [i, { tile, rgba }] of tiles.entries()) {
    const { x, y, w, h } = tile;
    if (!isInt(x, 0, width - 1) || !isInt(y, 0, height - 1) || !isInt(w, 1, width - x) || !isInt(h, 1, height - y)) {
      return { ok: false, error: `tile ${i} (${x},${y} ${w}×${h}) is not inside the ${width}×${height} frame` };
    }
    if (rgba.length !== w * h * 4)
      return { ok: false, error: `tile ${i} has ${rgba.length} bytes; a ${w}×${h} tile has ${w * h * 4}` };
  }
  const frame = new Uint8Array(width * height * 4);
  for (const { tile, rgba } of tiles) {
    for (let row = 0; row < tile.h; row++) {
      frame.set(rgba.subarray(row * tile.w * 4, (row + 1) * tile.w * 4), ((tile.y + row) * width + tile.x) * 4);
    }
  }
  return { ok: true, value: frame };
}

/** The largest side of a frame, and so of a tile (docs/SCENE.md). */
const MAX_SIDE = 8192;

/** The bytes a tile's output holds, w × h × 4 (RGBA), from its unit's params; 0 when they name no tile. */
export function tileOutputBytes(params: Readonly<Record<string, unknown>> | undefined): number {
  const side = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_SIDE;
  const w = params?.['w'];
  const h = params?.['h'];
  return side(w) && side(h) ? w * h * 4 : 0;
}
