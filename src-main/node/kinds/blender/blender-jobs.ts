// A Blender job as submitted (jobs.submit's `blender`, core/blender/unit.ts): the requester's own
// Blender preflights the scene in its sandbox (a trusted provider's, when it has none), and a scene
// it refuses is refused, saying why; the units are the algorithm of the Blender that read it
// (providers with another major.minor get none), the scene their module, and their params what
// the preflight read (the frame's size, the samples), so that providers render and the requester
// checks the same pixels. A job cut into tiles is refused for a scene whose tiles cannot match its
// whole frame (the preflight's reason), and its input, the frames, becomes the tile units' (a frame
// and a tile index each, frame after frame).
// Its frames' format (PNG, or EXR for frames only: BlenderJobSchema) and its resolution percentage
// (the file's own, or the job's) are in the units' params, with the frame's pixels at it.
// A requester without Blender cannot re-render a crop, and no crop can check a scene whose output
// reads pixels outside it (a glare node: core/blender/crop-check.ts): such a job runs each unit on
// two providers, whose renders are compared by pixels (verdicts/blender-agreement.ts) and never
// convict, so its redundancy is at least CHECKED_BY_PROVIDERS (asRun), and its frames are PNG (the
// agreement compares 8-bit pixels). Where only the compositor reads outside a crop and my Blender
// can run it (crop-check.ts `raw`), the units are the view layer's render before the compositor
// (a float EXR), checked by a crop as any frame is, and my node composites each frame once it is
// verified (node/kinds/blender/frames.ts): redundancy 1, the frames PNG.
import type { SubmitJobTerms } from '../../../core/api/contract.js';
import {
  FRAME_BYTES,
  frameOf,
  frameTileInputs,
  TILE_UNIT_BYTES,
  type BlenderUnitParams,
} from '../../../core/blender/unit.js';
import { outputSize, sizeRefusal } from '../../../core/blender/preflight.js';
import { exrRefusal } from '../../../core/blender/crop-check.js';
import { tilesPerFrame, type TileGrid } from '../../../core/schemas/blender-tiles.js';
import { ApiError } from '../../api/errors.js';
import type { NodeContext } from '../../mesh/context/node-context.js';

/** The least redundancy of a Blender job whose requester has no Blender: a frame by two providers. */
const CHECKED_BY_PROVIDERS = 2;

/** Reference seconds a frame is expected to take: Blender's start, and pixel-samples at a modest rate. */
const START_SECONDS = 10;
const PIXEL_SAMPLES_PER_SECOND = 200_000;

/** The job's units as a resolved module (job-split.ts), and the seconds a frame is expected to take. */
export async function blenderJob(ctx: Pick<NodeContext, 'blender'>, terms: NonNullable<SubmitJobTerms['blender']>) {
  if (!ctx.blender) throw new ApiError('bad_request', 'this node has nothing to do with Blender');
  const scene = new Uint8Array(Buffer.from(terms.scene_base64, 'base64'));
  const { file, zip, seed, format } = terms;
  const preflight = await ctx.blender.read({ scene, params: { file, zip } });
  if (!preflight.ok) throw new ApiError('bad_request', preflight.reason);
  const { report, verdict } = preflight;
  // Its warnings (denoising turned off) are the submitter's to show first, as meshctl does.
  if (verdict.refusals.length > 0)
    throw new ApiError('bad_request', `the scene is refused: ${verdict.refusals.join('; ')}`);
  const grid = terms.tiles;
  const byProviders = preflight.by !== null; // read by a provider: I have no Blender
  const raw = !byProviders && !verdict.check.crop ? verdict.check.raw : undefined;
  const noExr = format === 'exr' ? exrRefusal(verdict.check, byProviders) : undefined;
  if (noExr) throw new ApiError('bad_request', `${noExr}: ask for PNG`);
  if (grid && format === 'exr')
    throw new ApiError('bad_request', 'EXR frames cannot be cut into tiles (tiles are stitched as 8-bit PNG)');
  if (grid && !verdict.tiles)
    throw new ApiError('bad_request', `the scene cannot be cut into tiles: ${verdict.tilesWhyNot ?? 'frames only'}`);
  // The file's own output size, or the percentage the job asks for.
  const percentage = terms.resolution_percentage ?? report.percentage;
  const tooSmall = sizeRefusal(report, percentage);
  if (tooSmall) throw new ApiError('bad_request', tooSmall);
  const { width, height } = outputSize(report, percentage);
  if (grid && (grid.cols > width || grid.rows > height))
    throw new ApiError('bad_request', `a ${width}×${height} frame cannot be cut into ${grid.cols}×${grid.rows} tiles`);
  const params: BlenderUnitParams = {
    file,
    zip,
    samples: terms.samples ?? report.samples,
    seed,
    width,
    height,
    ...(grid ? { tiles: grid } : {}),
    format: raw ? 'exr' : (format ?? 'png'),
    // Absent at 100 %: units as a node of the last version makes and reads them.
    ...(percentage !== 100 ? { percentage } : {}),
    // A node of the last version takes no such unit (its params are strict): it would render the composite.
    ...(raw ? { raw_layer: raw.layer } : {}),
  };
  const agreement = byProviders || (!verdict.check.crop && !raw);
  const parts = grid ? tilesPerFrame(grid) : 1;
  return {
    resolved: {
      algorithmId: preflight.algorithm,
      module: scene,
      params,
      secondsPerMiB: 1,
      gpuBytes: 0,
    },
    seconds: START_SECONDS + (params.width * params.height * params.samples) / parts / PIXEL_SAMPLES_PER_SECOND,
    /** How its frames are checked: a crop re-rendered by my Blender, or two providers' agreement. */
    checkedBy: agreement ? ('agreement' as const) : ('crop' as const),
    /** Whether my Blender composites its frames from its units, the renders before the compositor. */
    composite: raw !== undefined,
    /** The least redundancy its frames are checked with: 1 where my Blender checks them by a crop. */
    redundancy: agreement ? CHECKED_BY_PROVIDERS : 1,
  };
}

/** The job's terms as it runs: at least the redundancy its Blender units are checked with (blenderJob). */
export function asRun<T extends { redundancy: number }>(terms: T, blender: { redundancy: number } | undefined): T {
  return blender && blender.redundancy > terms.redundancy ? { ...terms, redundancy: blender.redundancy } : terms;
}

/**
 * The job's units' chunk and input bytes as the node makes them from an input of `inputBytes`: a
 * tiled Blender job's frames, four bytes each, become its tile units (tileInputs); any other's as given.
 */
export function unitInput(
  spec: { chunk_bytes: number; blender?: { tiles?: TileGrid } },
  inputBytes: number,
): { chunk: number; bytes: number } {
  const grid = spec.blender?.tiles;
  if (!grid) return { chunk: spec.chunk_bytes, bytes: inputBytes };
  return { chunk: TILE_UNIT_BYTES, bytes: (inputBytes / FRAME_BYTES) * tilesPerFrame(grid) * TILE_UNIT_BYTES };
}

/** What a tiled job's frames were: the first, and how many (set as its input passes through tileInputs). */
export interface FramesSeen {
  first?: number;
  count: number;
}

/**
 * A tiled job's input, the frames (four bytes each), as its tile units' inputs (frameTileInputs),
 * frame after frame; the frames must follow one another (a unit's frame follows from its index:
 * core/schemas/blender-tiles.ts). `seen` says which they were once the input has passed.
 */
export async function* tileInputs(
  frames: AsyncIterable<Uint8Array>,
  grid: TileGrid,
  seen: FramesSeen,
): AsyncGenerator<Uint8Array> {
  let partial = new Uint8Array(0);
  for await (const piece of frames) {
    const bytes = partial.byteLength === 0 ? piece : Buffer.concat([partial, piece]);
    const whole = bytes.byteLength - (bytes.byteLength % FRAME_BYTES);
    for (let at = 0; at < whole; at += FRAME_BYTES) {
      const frame = frameOf(bytes.subarray(at, at + FRAME_BYTES));
      if (frame === undefined) throw new ApiError('bad_request', 'a frame number of the input is out of range');
      seen.first ??= frame;
      if (frame !== seen.first + seen.count)
        throw new ApiError(
          'bad_request',
          `a tiled Blender job's frames follow one another: frame ${frame} comes after ${seen.first + seen.count - 1}`,
        );
      seen.count++;
      yield frameTileInputs(frame, grid);
    }
    partial = bytes.slice(whole);
  }
  if (partial.byteLength > 0)
    throw new ApiError('bad_request', `a Blender job's input is its frames, ${FRAME_BYTES} bytes each`);
}
