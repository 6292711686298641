// What a render job asks for, as its job record keeps it: the frames, their size and sampling,
// the side of its tiles as rendered (a unit each: the tile asked for, or n×n of them when it is
// too small alone, node/mesh/render/render-jobs.ts) and the seed every replica renders with.
import { Id } from './primitives.js';
import * as z from './zod.js';

/** Frames a scene can be asked for (docs/SCENE.md). */
export const MAX_FRAME = 1_000_000;
/** The largest frame side and samples per pixel a render job may ask for. */
export const TILE_LIMITS = { frameSide: 8192, spp: 4096 } as const;

/**
 * Whether a render job's tiles may run on a GPU: `allowed` (a provider with a GPU uses it, the
 * others the CPU), `required` (only providers with a GPU), `forbidden` (CPU only, bit-exact).
 */
export const GpuModeSchema = z.enum(['allowed', 'required', 'forbidden']);
export type GpuMode = z.infer<typeof GpuModeSchema>;

export const Side = z.int().check(z.minimum(1), z.maximum(TILE_LIMITS.frameSide));
const FrameNumber = z.int().check(z.minimum(0), z.maximum(MAX_FRAME));

/** The fields of a render job's spec; the API's submit form adds the scene and the job terms. */
export const RENDER_SPEC_FIELDS = {
  first_frame: FrameNumber,
  last_frame: FrameNumber,
  width: Side,
  height: Side,
  spp: z.int().check(z.minimum(1), z.maximum(TILE_LIMITS.spp)),
  tile: Side,
  /** u32; the same seed renders the same bytes (`meshctl render-local --seed`). */
  seed: z._default(z.int().check(z.minimum(0), z.maximum(0xffffffff)), 0),
  /** GPU allowed (the default), required, or forbidden (CPU only: bit-exact tiles). */
  gpu: z._default(GpuModeSchema, 'allowed'),
};

/** The check both forms share: frames run forward. */
export function framesInOrder(r: { first_frame: number; last_frame: number }): boolean {
  return r.last_frame >= r.first_frame;
}
export const FRAMES_OUT_OF_ORDER = { message: 'frames: the last frame comes before the first', path: ['last_frame'] };

export const RenderSpecSchema = z
  .strictObject({
    ...RENDER_SPEC_FIELDS,
    /** The submit as the API took it, its scene included (a blob): a restart estimates from it the frames it had not. */
    submit_cid: z.optional(Id),
  })
  .check(z.refine(framesInOrder, FRAMES_OUT_OF_ORDER));

export type RenderSpec = z.output<typeof RenderSpecSchema>;
