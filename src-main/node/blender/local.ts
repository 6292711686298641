// A frame rendered on this machine by the sandboxed Blender: whole, or as tiles rendered one after
// another by border, all by one Blender (one start), and stitched back (exact pixel borders): the
// reference a mesh render of the frame must match within the verification rule
// (core/blender/compare.ts).
import type { SandboxLimits } from '../../core/blender/args.js';
import type { SampleProgress } from '../../core/blender/progress.js';
import { stitch, tileGrid, type Rgba } from '../../core/blender/tiles.js';
import { renderInSandbox, renderTilesInSandbox } from './render.js';
import type { RunLimits } from './run.js';

export interface LocalFrame {
  blender: string;
  /** A unit's folder holding the scene (bringScene put it there). */
  unitDir: string;
  file: string;
  frame: number;
  samples: number;
  seed: number;
  /** The frame's pixels at `percentage`. */
  width: number;
  height: number;
  /** The resolution percentage; 100 when not given. */
  percentage?: number;
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
  const { file, frame, samples, seed, percentage } = job;
  const settings = { file, frame, samples, seed, ...(percentage !== undefined ? { percentage } : {}) };
  const limits = job.limits;
  if (!job.tiles) {
    const done = await renderInSandbox({
      blender: job.blender,
      unitDir: job.unitDir,
      settings,
      limits,
      ...(job.onProgress ? { onProgress: (p: SampleProgress) => job.onProgress?.(0, 1, p) } : {}),
    });
    if (!done.ok) throw new RenderFailed(done.reason);
    return done.image;
  }
  // Every tile by one Blender: its start is paid once. A tile's progress starts again from sample 1.
  const rects = tileGrid(width, height, job.tiles.cols, job.tiles.rows);
  let tile = 0;
  let last = 0;
  const onProgress = (p: SampleProgress) => {
    if (p.sample < last) tile = Math.min(tile + 1, rects.length - 1);
    last = p.sample;
    job.onProgress?.(tile, rects.length, p);
  };
  const done = await renderTilesInSandbox({
    blender: job.blender,
    unitDir: job.unitDir,
    settings,
    tiles: { rects, width, height },
    limits,
    ...(job.onProgress ? { onProgress } : {}),
  });
  if (!done.ok) throw new RenderFailed(done.reason);
  return stitch(
    width,
    height,
    rects.map((rect, i) => ({ rect, image: done.images[i]! })),
  );
}
