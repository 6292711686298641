// A provider's frame (or tile of one) checked as a requester checks it: random crops of it
// re-rendered here, in the sandbox, at the same seed and samples, and compared by their decoded
// pixels. It agrees when every crop's share of identical pixels reaches IDENTICAL_SHARE
// (core/blender/compare.ts).
import type { SandboxLimits } from '../../core/blender/args.js';
import { IDENTICAL_SHARE, identicalShare } from '../../core/blender/compare.js';
import { crop, type PixelRect, type Rgba } from '../../core/blender/tiles.js';
import { renderInSandbox } from './render.js';
import type { RunLimits } from './run.js';

export interface FrameCheck {
  blender: string;
  /** A unit's folder holding the scene. */
  unitDir: string;
  file: string;
  frame: number;
  samples: number;
  seed: number;
  /** The frame's size, in pixels at `percentage`. */
  width: number;
  height: number;
  /** The resolution percentage; 100 when not given. */
  percentage?: number;
  /** The provider's frame or tile, decoded, and where in the frame it lies. */
  provided: Rgba;
  providedAt: PixelRect;
  /** In the frame's pixels, each inside `providedAt`. */
  crops: readonly PixelRect[];
  limits: SandboxLimits & RunLimits;
}

export interface FrameVerdict {
  agrees: boolean;
  /** Each crop with its share of identical pixels. */
  crops: { rect: PixelRect; share: number }[];
  /** Time spent re-rendering, ms. */
  ms: number;
}

export async function checkFrame(check: FrameCheck): Promise<FrameVerdict> {
  const { width, height } = check;
  const own: OwnCrop[] = [];
  let ms = 0;
  for (const rect of check.crops) {
    const done = await renderInSandbox({
      blender: check.blender,
      unitDir: check.unitDir,
      settings: {
        file: check.file,
        frame: check.frame,
        samples: check.samples,
        seed: check.seed,
        ...(check.percentage !== undefined ? { percentage: check.percentage } : {}),
        // The whole frame is rendered as a frame, not as a border: what a scene no crop can check is checked by.
        ...(isWhole(rect, width, height) ? {} : { tile: { rect, width, height } }),
      },
      limits: check.limits,
    });
    if (!done.ok) throw new Error(`the check's own render failed: ${done.reason}`);
    ms += done.ms;
    own.push({ rect, image: done.image });
  }
  return { ...compareCrops(check.provided, check.providedAt, own), ms };
}

const isWhole = (rect: PixelRect, width: number, height: number): boolean =>
  rect.x0 === 0 && rect.y0 === 0 && rect.x1 === width && rect.y1 === height;

/** A crop re-rendered here: where it lies in the frame, and its pixels. */
export interface OwnCrop {
  rect: PixelRect;
  image: Rgba;
}

/** The provided frame or tile (lying at `at` in the frame) against my crops of it, by their pixels. */
export function compareCrops(provided: Rgba, at: PixelRect, own: readonly OwnCrop[]): Omit<FrameVerdict, 'ms'> {
  const crops = own.map(({ rect, image }) => {
    const inProvided = { x0: rect.x0 - at.x0, y0: rect.y0 - at.y0, x1: rect.x1 - at.x0, y1: rect.y1 - at.y0 };
    return { rect, share: identicalShare(crop(provided, inProvided), image) };
  });
  return { agrees: crops.every((c) => c.share >= IDENTICAL_SHARE), crops };
}
