// One frame layout for every kind whose units' outputs make frames (docs/ARCHITECTURE.md, "Kinds of
// work"): which frames a job makes and which of its units make each. A render job's and a tiled
// Blender job's units are tiles, a frame's row by row, frame after frame from the first (render-jobs.ts,
// core/schemas/blender-tiles.ts), so unit i is a tile of frame first + ⌊i / unitsPerFrame⌋; a composited
// Blender job's unit is one frame, whose number its input holds (the job record's frameOfUnit once
// composited). Every other job makes no frames: its units' outputs are what it gives.
import type { Job } from '../schemas/index.js';
import { tilesPerFrame } from '../schemas/blender-tiles.js';

export interface FrameLayout {
  /** The frames the job makes. */
  count: number;
  /** Its units a frame: a frame's tiles, or 1 where a unit is a frame. */
  unitsPerFrame: number;
  /** Its first frame, the others following; undefined where each unit's input names its frame (a composited job's). */
  first: number | undefined;
}

type FramedJob = Pick<Job, 'unit_count' | 'render' | 'blender_tiles' | 'blender_composite'>;

/** How a job's units make its frames; undefined for a job that makes none. */
export function frameLayoutOf(job: FramedJob): FrameLayout | undefined {
  if (job.render) {
    const count = job.render.last_frame - job.render.first_frame + 1;
    return { count, unitsPerFrame: job.unit_count / count, first: job.render.first_frame };
  }
  if (job.blender_tiles) {
    const unitsPerFrame = tilesPerFrame(job.blender_tiles);
    return { count: job.unit_count / unitsPerFrame, unitsPerFrame, first: job.blender_tiles.first_frame };
  }
  if (job.blender_composite) return { count: job.unit_count, unitsPerFrame: 1, first: undefined };
  return undefined;
}

/** How many frames a job assembles from its units (0: none, its units' outputs are its results). */
export const framesOfJob = (job: FramedJob): number => frameLayoutOf(job)?.count ?? 0;

/** The frame unit `index` makes part of, where its index says (a tile's); undefined where its input says, or it makes none. */
export function frameOfUnit(layout: FrameLayout | undefined, index: number): number | undefined {
  return layout?.first === undefined ? undefined : layout.first + Math.floor(index / layout.unitsPerFrame);
}

/** The indices of the units that make `frame` (its tiles), [from, to); undefined where the layout cannot say. */
export function unitsOfFrame(layout: FrameLayout, frame: number): { from: number; to: number } | undefined {
  if (layout.first === undefined || frame < layout.first || frame >= layout.first + layout.count) return undefined;
  const from = (frame - layout.first) * layout.unitsPerFrame;
  return { from, to: from + layout.unitsPerFrame };
}

/** The frames' numbers in order, where the layout knows them. */
export function framesIn(layout: FrameLayout): number[] {
  const first = layout.first;
  return first === undefined ? [] : Array.from({ length: layout.count }, (_, i) => first + i);
}
