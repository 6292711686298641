// A Blender job on the mesh: one unit per frame, or per tile of a frame (`tiles`: a grid of border
// tiles, core/schemas/blender-tiles.ts). The scene (a .blend, or a zip of a folder with its
// assets) travels once, as the units' module blob; each unit's input is its frame number, four
// bytes big-endian, so a job's input is its frames one after another (chunk_bytes 4); a tile
// unit's is its frame and then its tile's index in the grid (tileGrid's order), four bytes each,
// which the requester's node makes from the frames it was given. The units' params say how to
// render: the .blend's name, whether the module is a zip, the samples, seed, the frame's size (the
// requester's preflight read it), the grid and the file's format (PNG, or EXR for frames only), so
// that a provider renders and a requester checks the same pixels.
import { TileGridSchema, tilesPerFrame, type TileGrid } from '../schemas/blender-tiles.js';
import { base64Of } from '../schemas/index.js';
import * as z from '../schemas/zod.js';
import { MAX_FRAME_NUMBER } from './frames.js';
import { MAX_PERCENTAGE } from './preflight.js';
import { tileGrid, type PixelRect } from './tiles.js';

/** The bytes of one unit's input: its frame number. */
export const FRAME_BYTES = 4;
/** The bytes of a tile unit's input: its frame number, then its tile's index. */
export const TILE_UNIT_BYTES = 8;
/** The most a job's scene may weigh (it goes in the job's terms, and each provider keeps it once). */
export const MAX_BLENDER_SCENE_BYTES = 16 * 1024 * 1024;

/** A frame's file (core/blender/args.ts FrameFormat): 8-bit PNG, or OpenEXR (core/blender/exr.ts). */
const FrameFormatSchema = z.enum(['png', 'exr']);

/** Tiles are stitched as 8-bit PNG: a job of EXR frames is a unit a frame. */
const exrFramesOnly = z.refine<{ format?: 'png' | 'exr'; tiles?: unknown }>(
  (job) => job.format !== 'exr' || job.tiles === undefined,
  'EXR frames cannot be cut into tiles (tiles are stitched as 8-bit PNG): render EXR a unit a frame, or tiles as PNG',
);

/** A unit of the render before the compositor is a float EXR of a whole frame. */
const rawIsExrFrame = z.refine<{ format?: 'png' | 'exr'; tiles?: unknown; raw_layer?: string }>(
  (unit) => unit.raw_layer === undefined || (unit.format === 'exr' && unit.tiles === undefined),
  "a unit of a view layer's render before the compositor is a whole frame's EXR",
);

/** A view layer's name as Blender has it (its 64 bytes), going into our Python as a JSON string: no control characters. */
const ViewLayerName = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^\P{Cc}+$/u));

/** A resolution percentage (core/blender/preflight.ts outputSize). */
const Percentage = z.int().check(z.minimum(1), z.maximum(MAX_PERCENTAGE));

/** A plain .blend name, as the sandbox takes it (core/blender/args.ts scenePath). */
export const BlendName = z.string().check(z.regex(/^[\w-][\w.-]{0,99}\.blend$/, 'a plain .blend file name'));

export const BlenderUnitParamsSchema = z
  .strictObject({
    file: BlendName,
    /** The module is a zip of the scene's folder (the .blend at its top, its assets beside it). */
    zip: z.boolean(),
    samples: z.int().check(z.minimum(1), z.maximum(1 << 24)),
    seed: z.int().check(z.minimum(0), z.maximum(2 ** 31 - 1)),
    width: z.int().check(z.minimum(1), z.maximum(65_536)),
    height: z.int().check(z.minimum(1), z.maximum(65_536)),
    /** A tile of the frame a unit: the grid (absent: a unit renders its whole frame). */
    tiles: z.optional(TileGridSchema),
    /** The file each unit's output is; PNG when absent. */
    format: z.optional(FrameFormatSchema),
    /** The resolution percentage it is rendered at (`width` and `height` are the frame's pixels at it); absent: 100. */
    percentage: z.optional(Percentage),
    /**
     * The unit is this view layer's render with the compositor off, as a float EXR (32-bit RGBA),
     * which the requester checks by a crop and composites itself (core/blender/crop-check.ts `raw`);
     * absent: the frame as the file outputs it.
     */
    raw_layer: z.optional(ViewLayerName),
  })
  .check(exrFramesOnly, rawIsExrFrame);
export type BlenderUnitParams = z.output<typeof BlenderUnitParamsSchema>;

/** The frames' input: each frame number, four bytes big-endian. */
export function framesInput(frames: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(frames.length * FRAME_BYTES);
  const view = new DataView(bytes.buffer);
  for (const [i, frame] of frames.entries()) {
    if (!Number.isSafeInteger(frame) || frame < 0 || frame > MAX_FRAME_NUMBER)
      throw new RangeError(`frame ${frame} is not in 0..${MAX_FRAME_NUMBER}`);
    view.setUint32(i * FRAME_BYTES, frame);
  }
  return bytes;
}

/** A unit's frame from its input; undefined when the input is not one frame number. */
export function frameOf(input: Uint8Array): number | undefined {
  if (input.byteLength !== FRAME_BYTES) return undefined;
  const frame = new DataView(input.buffer, input.byteOffset, FRAME_BYTES).getUint32(0);
  return frame <= MAX_FRAME_NUMBER ? frame : undefined;
}

/** A tile unit's frame and tile index from its input; undefined when the input is not one in the grid. */
export function tileUnitOf(input: Uint8Array, grid: TileGrid): { frame: number; tile: number } | undefined {
  if (input.byteLength !== TILE_UNIT_BYTES) return undefined;
  const frame = frameOf(input.subarray(0, FRAME_BYTES));
  const tile = new DataView(input.buffer, input.byteOffset + FRAME_BYTES, 4).getUint32(0);
  return frame !== undefined && tile < tilesPerFrame(grid) ? { frame, tile } : undefined;
}

/** What a unit renders, from its params and input: its frame, and its tile when its job is tiled; undefined: no such unit. */
export function unitWork(
  params: BlenderUnitParams,
  input: Uint8Array,
): { frame: number; tile?: PixelRect } | undefined {
  const grid = params.tiles;
  if (!grid) {
    const frame = frameOf(input);
    return frame === undefined ? undefined : { frame };
  }
  const at = tileUnitOf(input, grid);
  if (!at || grid.cols > params.width || grid.rows > params.height) return undefined;
  return { frame: at.frame, tile: tileGrid(params.width, params.height, grid.cols, grid.rows)[at.tile]! };
}

/** The inputs of a frame's tile units, one after another: the frame and each tile's index. */
export function frameTileInputs(frame: number, grid: TileGrid): Uint8Array {
  const count = tilesPerFrame(grid);
  const bytes = new Uint8Array(count * TILE_UNIT_BYTES);
  const view = new DataView(bytes.buffer);
  for (let tile = 0; tile < count; tile++) {
    bytes.set(framesInput([frame]), tile * TILE_UNIT_BYTES);
    view.setUint32(tile * TILE_UNIT_BYTES + FRAME_BYTES, tile);
  }
  return bytes;
}

/** A scene as a job carries it: its bytes (a .blend, or a zip of its folder), its .blend's name. */
const SCENE_FIELDS = {
  scene_base64: base64Of(MAX_BLENDER_SCENE_BYTES),
  file: z._default(BlendName, 'scene.blend'),
  zip: z._default(z.boolean(), false),
};
export const BlenderSceneSchema = z.strictObject(SCENE_FIELDS);

/**
 * A Blender job's terms (jobs.submit's `blender`): its scene, a .blend (`file`, its name) or a zip
 * of a folder with its assets (`zip`), travelling once as the units' module. Samples default to the
 * scene's own.
 */
export const BlenderJobSchema = z
  .strictObject({
    ...SCENE_FIELDS,
    samples: z.optional(z.int().check(z.minimum(1), z.maximum(1 << 24))),
    seed: z._default(z.int().check(z.minimum(0), z.maximum(2 ** 31 - 1)), 0),
    /**
     * Each frame cut into this grid of border tiles, a unit each, stitched back by the requester
     * (its frames must then follow one another); absent: a unit a frame. Refused for a scene whose
     * tiles cannot match its whole frame (the preflight says why).
     */
    tiles: z.optional(TileGridSchema),
    /** Each frame written as an 8-bit PNG (when absent), or as OpenEXR (RGBA, half float, ZIP): frames only, not tiles. */
    format: z.optional(FrameFormatSchema),
    /** The resolution percentage its frames are rendered at; absent: the file's own. */
    resolution_percentage: z.optional(Percentage),
  })
  .check(exrFramesOnly);

/** A Blender job's units are its frames (or their tiles), one each, checked by the requester's own re-render (not by replicas). */
export const blenderFrames = [
  (job: { blender?: unknown; chunk_bytes: number; units_per_pack?: number; redundancy?: number; params?: unknown }) =>
    job.blender === undefined ||
    (job.chunk_bytes === FRAME_BYTES &&
      (job.units_per_pack ?? 1) === 1 &&
      (job.redundancy ?? 1) === 1 &&
      job.params === undefined),
  {
    message: `a Blender job's input is its frames, ${FRAME_BYTES} bytes each: chunk_bytes ${FRAME_BYTES}, no units_per_pack, redundancy 1 (the requester checks each frame by re-rendering a crop) and no params`,
  },
] as const;
