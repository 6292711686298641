// A Blender job cut into tiles (docs/BLENDER.md), as its job record keeps it: every frame is a grid
// of `cols` × `rows` border tiles, a unit each, and the job's units are its frames' tiles, frame
// after frame (from `first_frame`, one frame after another), each frame's row by row from the top.
// So a unit's frame follows from its index alone: the requester stitches a frame once its tiles
// are verified, and knows which frame a unit belongs to without reading its input.
import * as z from './zod.js';

/** The most tiles a frame is cut into along either side. */
export const MAX_TILES_SIDE = 16;
const Side = z.int().check(z.minimum(1), z.maximum(MAX_TILES_SIDE));

/** The grid a frame is cut into: `cols` across, `rows` down. */
const GRID = { cols: Side, rows: Side };
export const TileGridSchema = z.strictObject(GRID);
export type TileGrid = z.output<typeof TileGridSchema>;

const FrameSide = z.int().check(z.minimum(1), z.maximum(65_536));

export const BlenderTilesSchema = z.strictObject({
  ...GRID,
  /** The job's first frame: frames follow one another, a grid of units each. */
  first_frame: z.int().check(z.minimum(0), z.maximum(1_048_574)),
  /** The frame's size, as the requester's preflight read it. */
  width: FrameSide,
  height: FrameSide,
});
export type BlenderTiles = z.output<typeof BlenderTilesSchema>;

export const tilesPerFrame = (grid: TileGrid): number => grid.cols * grid.rows;

/** The frame unit `index` of a tiled Blender job renders a tile of. */
export function frameOfTileUnit(tiles: BlenderTiles, index: number): number {
  return tiles.first_frame + Math.floor(index / tilesPerFrame(tiles));
}

/** How many frames a tiled Blender job of `units` units has. */
export const framesOfTiledJob = (tiles: BlenderTiles, units: number): number => units / tilesPerFrame(tiles);

/** The frames a job assembles from its units: a render job's and a tiled Blender job's from tiles, a composited Blender job's a unit each; none for any other job. */
export function framesOfJob(job: {
  unit_count: number;
  render?: { first_frame: number; last_frame: number };
  blender_tiles?: BlenderTiles;
  blender_composite?: true;
}): number {
  if (job.render) return job.render.last_frame - job.render.first_frame + 1;
  if (job.blender_composite) return job.unit_count;
  return job.blender_tiles ? framesOfTiledJob(job.blender_tiles, job.unit_count) : 0;
}
