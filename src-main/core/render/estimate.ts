// How much fuel a tile will burn, from a coarse pre-pass: the frame rendered at 1/k of its size
// and 1 sample per pixel, one run per tile's footprint. Fuel per sample varies with what a tile
// sees (sky is cheap, glass is not), so each tile gets its own figure; the pass costs about
// 1/(k² · spp) of the job. A fixed part (reading and checking the scene blob) is measured alone
// with a one-pixel run and not scaled; and a pixel's own part (its camera ray set up, its colour
// written), which a pixel pays once whatever its samples, is measured by a probe of the frame at 1
// and 2 spp and scaled by pixels, not samples: scaled by samples, it put a 16-spp tile at 1.5×
// what it burns.
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

/**
 * A pixel's own fuel, apart from its samples, from runs of the same `pixels` at 1 and 2 spp and
 * the fixed part: the second sample costs what the first did less the pixel's own part.
 */
export function pixelFuelOf(probe: { fixedFuel: number; oneSpp: number; twoSpp: number; pixels: number }): number {
  const one = probe.oneSpp - probe.fixedFuel;
  const two = probe.twoSpp - probe.fixedFuel;
  return Math.max(0, (2 * one - two) / probe.pixels);
}

/**
 * A tile's fuel at `spp`, scaled from its coarse footprint's fuel at 1 spp: `pixelFuel` (pixelFuelOf)
 * of each coarse pixel's once a pixel, the rest once a sample.
 */
export function estimateTileFuel(input: {
  fixedFuel: number;
  coarseFuel: number;
  coarse: Tile;
  tile: Tile;
  spp: number;
  pixelFuel?: number;
}): number {
  const perPixel = Math.max(0, input.coarseFuel - input.fixedFuel) / (input.coarse.w * input.coarse.h);
  const own = Math.min(perPixel, input.pixelFuel ?? 0);
  return Math.round(input.fixedFuel + input.tile.w * input.tile.h * (own + (perPixel - own) * input.spp));
}
