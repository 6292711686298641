// A Blender job cut into tiles (docs/BLENDER.md), as its job record keeps it: every frame is a grid
// of `cols` × `rows` border tiles, a unit each, and the job's units are its frames' tiles, frame
// after frame (from `first_frame`, one frame after another), each frame's row by row from the top.
// So a unit's frame follows from its index alone (core/kinds/frames.ts, the one frame layout): the
// requester stitches a frame once its tiles are verified, and knows a unit's frame without reading its input.
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

export const tilesPerFrame = (grid: TileGrid): number => grid.cols * grid.rows;
