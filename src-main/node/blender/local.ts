// A frame rendered on this machine by the sandboxed Blender: whole, or as tiles rendered one after
// another by border and stitched back (exact pixel borders): the reference a mesh render of the
// frame must match within the verification rule (core/blender/compare.ts).
import type { SandboxLimits } from '../../core/blender/args.js';
import type { SampleProgress } from '../../core/blender/progress.js';
import { stitch, tileGrid, type PixelRect, type Rgba } from '../../core/blender/tiles.js';
import { renderInSandbox } from './render.js';
import type { RunLimits } from './run.js';

export interface LocalFrame {
  blender: string;
  /** A unit's folder holding the scene (bringScene put it there). */
  unitDir: string;
  file: string;
  frame: number;
  samples: number;
  seed: number;
  width: number;
  height: number;
  /** Columns × rows of tiles; none: the whole frame at once. */
  tiles?: { cols: number; rows: number };
  limits: SandboxLimits & RunLimits;
  onProgress?: (done: number, total: number, progress: SampleProgress) => void;
}

class RenderFailed extends Error {
  override readonly name = 'RenderFailed';
}

export async function renderFrameLocal(job: LocalFrame): Promise<Rgba> {
  const { width, height } = job;
  const rects: (PixelRect | undefined)[] = job.tiles
    ? tileGrid(width, height, job.tiles.cols, job.tiles.rows)
    : [undefined];
  const parts: { rect: PixelRect; image: Rgba }[] = [];
  for (const [i, rect] of rects.entries()) {
    const done = await renderInSandbox({
      blender: job.blender,
      unitDir: job.unitDir,
      settings: {
        file: job.file,
        frame: job.frame,
        samples: job.samples,
        seed: job.seed,
        ...(rect ? { tile: { rect, width, height } } : {}),
      },
      limits: job.limits,
      ...(job.onProgress ? { onProgress: (p: SampleProgress) => job.onProgress?.(i, rects.length, p) } : {}),
    });
    if (!done.ok) throw new RenderFailed(rect ? `tile at (${rect.x0}, ${rect.y0}): ${done.reason}` : done.reason);
    parts.push({ rect: rect ?? { x0: 0, y0: 0, x1: width, y1: height }, image: done.image });
  }
  return stitch(width, height, parts);
}
