// What a render job asks for, as its job record keeps it: the frames, their size and sampling,
// the tile size (one unit per tile) and the seed every replica renders with.
import { z } from 'zod';
import { TILE_LIMITS } from '../render/tiles.js';

/** Frames a scene can be asked for (docs/SCENE.md). */
export const MAX_FRAME = 1_000_000;

/**
 * Whether a render job's tiles may run on a GPU: `allowed` (a provider with a GPU uses it, the
 * others the CPU), `required` (only providers with a GPU), `forbidden` (CPU only, bit-exact).
 */
export const GpuModeSchema = z.enum(['allowed', 'required', 'forbidden']);
export type GpuMode = z.infer<typeof GpuModeSchema>;

const Side = z.number().int().min(1).max(TILE_LIMITS.frameSide);
const FrameNumber = z.number().int().min(0).max(MAX_FRAME);

export const RenderSpecSchema = z
  .strictObject({
    first_frame: FrameNumber,
    last_frame: FrameNumber,
    width: Side,
    height: Side,
    spp: z.number().int().min(1).max(TILE_LIMITS.spp),
    tile: Side,
    /** u32; the same seed renders the same bytes (`meshctl render-local --seed`). */
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    gpu: GpuModeSchema.default('allowed'),
  })
  .refine((r) => r.last_frame >= r.first_frame, {
    message: 'frames: the last frame comes before the first',
    path: ['last_frame'],
  });

export type RenderSpec = z.output<typeof RenderSpecSchema>;
