// A Blender job on the mesh: one unit per frame. The scene (a .blend, or a zip of a folder with its
// assets) travels once, as the units' module blob; each unit's input is its frame number, four
// bytes big-endian, so a job's input is its frames one after another (chunk_bytes 4). The units'
// params say how to render: the .blend's name, whether the module is a zip, the samples, seed and
// the frame's size (the requester's preflight read it), so that a provider renders and a requester
// checks the same pixels.
import * as z from '../schemas/zod.js';

/** The bytes of one unit's input: its frame number. */
export const FRAME_BYTES = 4;
/** The most a job's scene may weigh (it goes in the job's terms, and each provider keeps it once). */
export const MAX_BLENDER_SCENE_BYTES = 16 * 1024 * 1024;
const MAX_FRAME_NUMBER = 1_048_574;

/** A plain .blend name, as the sandbox takes it (core/blender/args.ts scenePath). */
const BlendName = z.string().check(z.regex(/^[\w-][\w.-]{0,99}\.blend$/, 'a plain .blend file name'));

export const BlenderUnitParamsSchema = z.strictObject({
  file: BlendName,
  /** The module is a zip of the scene's folder (the .blend at its top, its assets beside it). */
  zip: z.boolean(),
  samples: z.int().check(z.minimum(1), z.maximum(1 << 24)),
  seed: z.int().check(z.minimum(0), z.maximum(2 ** 31 - 1)),
  width: z.int().check(z.minimum(1), z.maximum(65_536)),
  height: z.int().check(z.minimum(1), z.maximum(65_536)),
});
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

/**
 * A Blender job's terms (jobs.submit's `blender`): its scene, a .blend (`file`, its name) or a zip
 * of a folder with its assets (`zip`), travelling once as the units' module. Samples default to the
 * scene's own.
 */
export const BlenderJobSchema = z.strictObject({
  scene_base64: z
    .string()
    .check(
      z.maxLength(Math.ceil(MAX_BLENDER_SCENE_BYTES / 3) * 4),
      z.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64'),
    ),
  file: z._default(BlendName, 'scene.blend'),
  zip: z._default(z.boolean(), false),
  samples: z.optional(z.int().check(z.minimum(1), z.maximum(1 << 24))),
  seed: z._default(z.int().check(z.minimum(0), z.maximum(2 ** 31 - 1)), 0),
});

/** A Blender job's units are its frames, one each, checked by the requester's own re-render (not by replicas). */
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
