// How big a render job's units are. A tile as small as a user may ask for is not worth a unit of
// its own: each unit's steps through the mesh (offer, acceptance, result, verdict, settlement,
// receipt) cost its nodes about a millisecond of main thread each on a slow machine, whatever the
// unit holds, so a 4K frame in 16-px tiles spent more on its 32,400 units' steps than on rendering
// them. The node renders a square of n×n of the asked tiles as one unit, the smallest n whose unit
// is estimated at MIN_UNIT_SECONDS or more; the kernel seeds every pixel by itself, so the frame
// is the same bytes whatever the units. Pure: no I/O.
import { estimateTileFuel } from './estimate.js';
import type { Tile } from './tiles.js';

/** The least a unit should take on the reference machine: its steps through the mesh are then a few percent of it. */
export const MIN_UNIT_SECONDS = 0.015;
/** A job keeps at least this many units when its tiles are grouped, so that it still spreads over many providers. */
export const MIN_UNITS_PER_JOB = 32;
/** A unit's side at most, grouped: its output (side² × 4 bytes, 4 MiB) is fetched whole. */
export const MAX_GROUPED_SIDE = 1024;

/**
 * What a probe of one frame measured (core/render/estimate.ts): a one-pixel run's fuel and a coarse
 * frame's, at 1 spp, and a pixel's own fuel apart from its samples (pixelFuelOf).
 */
export interface FrameProbe {
  fixedFuel: number;
  coarseFuel: number;
  coarse: Tile;
  pixelFuel?: number;
}

/** The units of a width×height frame whose units have this side. */
export const unitsPerFrame = (width: number, height: number, side: number): number =>
  Math.ceil(width / side) * Math.ceil(height / side);

/**
 * The side of a render job's units: the asked `tile` times the smallest n whose n×n tiles are
 * estimated (from `probe`, at `spp`) at MIN_UNIT_SECONDS on a machine of `fuelPerSecond`; but no
 * more than keeps MIN_UNITS_PER_JOB units over the job's `frames`, nor past MAX_GROUPED_SIDE or
 * one unit a frame.
 */
export function renderUnitSide(
  job: { width: number; height: number; tile: number; spp: number; frames: number },
  probe: FrameProbe,
  fuelPerSecond: number,
): number {
  const { width, height, tile, spp, frames } = job;
  const seconds = (side: number) =>
    estimateTileFuel({ ...probe, tile: { x: 0, y: 0, w: side, h: side }, spp }) / fuelPerSecond;
  let side = tile;
  for (;;) {
    if (seconds(side) >= MIN_UNIT_SECONDS || side >= Math.max(width, height)) return side;
    const next = side + tile;
    if (next > MAX_GROUPED_SIDE || frames * unitsPerFrame(width, height, next) < MIN_UNITS_PER_JOB) return side;
    side = next;
  }
}
