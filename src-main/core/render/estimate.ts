// How much fuel a tile will burn, from a coarse pre-pass: the frame rendered at 1/k of its size
// and 1 sample per pixel, one run per tile's footprint. Fuel per sample varies with what a tile
// sees (sky is cheap, glass is not), so each tile gets its own figure; the pass costs about
// 1/(k² · spp) of the job. A fixed part (reading and checking the scene blob) is measured alone
// with a one-pixel run and not scaled.
import type { Tile } from './tiles.js';

/** Coarse tiles of at least 16 px a side keep the 1-spp noise of the pre-pass averaged out. */
export function coarseFactor(tileSize: number): number {
  return Math.max(1, Math.floor(tileSize / 16));
}

/** The coarse frame's size for a width×height frame. */
export function coarseSize(width: number, height: number, k: number): { width: number; height: number } {
  return { width: Math.ceil(width / k), height: Math.ceil(height / k) };
}

/** The part of the coarse frame a tile covers (at least one pixel, inside the coarse frame). */
export function coarseTile(tile: Tile, k: number, coarse: { width: number; height: number }): Tile {
  const x = Math.min(Math.floor(tile.x / k), coarse.width - 1);
  const y = Math.min(Math.floor(tile.y / k), coarse.height - 1);
  return {
    x,
    y,
    w: Math.max(1, Math.min(Math.round(tile.w / k), coarse.width - x)),
    h: Math.max(1, Math.min(Math.round(tile.h / k), coarse.height - y)),
  };
}

/** A tile's fuel at `spp`, scaled from its coarse footprint's fuel at 1 spp. */
export function estimateTileFuel(input: {
  fixedFuel: number;
  coarseFuel: number;
  coarse: Tile;
  tile: Tile;
  spp: number;
}): number {
  const perSample = Math.max(0, input.coarseFuel - input.fixedFuel) / (input.coarse.w * input.coarse.h);
  return Math.round(input.fixedFuel + perSample * input.tile.w * input.tile.h * input.spp);
}
