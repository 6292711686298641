// A tiled job's frames as jobs.frames gives them (a render job's, a tiled Blender job's), from the one
// frame layout (core/kinds/frames.ts): each frame, its tiles verified so far (a compacted job's from
// the archive: its units are gone from the state), the tiles a provider renders now (whose
// unit.progress events the app's mosaic adds to the frame), and its PNG once made.
import { framesIn, type FrameLayout } from '../../core/kinds/frames.js';
import { isRunning } from '../../core/mesh/state/records.js';
import type { JobRecord } from '../../core/mesh/state/state.js';
import { unitIdOf } from '../../core/mesh/state/unit-table.js';
import { MAX_TILES_SIDE } from '../../core/schemas/blender-tiles.js';
import type { FramesNode, FramesView } from './seam.js';

type FrameView = FramesView['frames'][number];

/** The most units of a frame listed as rendering now (the API's bound: a Blender grid's). */
const RENDERING_LISTED = MAX_TILES_SIDE ** 2;

/** Each compacted job's verified tiles by frame, once worked out: a compacted job no longer changes. */
const compactedTiles = new WeakMap<JobRecord, Map<number, number>>();

/** The frames of a job whose units are its frames' tiles (`layout.first` known). */
export function tiledFrames(
  node: Pick<FramesNode, 'archive' | 'ctx'>,
  record: JobRecord,
  layout: FrameLayout,
): FrameView[] {
  const compacted = record.summary ? compactedFrameTiles(node.archive, record, layout) : undefined;
  const perFrame = layout.unitsPerFrame;
  return framesIn(layout).map((frame, i) => {
    const png = record.frames.get(frame) ?? null;
    if (png !== null) return { frame, tiles_total: perFrame, tiles_verified: perFrame, png_cid: png, rendering: [] };
    if (compacted) return { frame, tiles_total: perFrame, tiles_verified: compacted.get(frame) ?? 0, png_cid: null };
    let verified = 0;
    const rendering: string[] = [];
    for (let t = i * perFrame; t < Math.min((i + 1) * perFrame, record.created); t++) {
      const unitId = unitIdOf(record.job.job_id, t);
      const verdict = node.ctx.state.units.progressOf(unitId)?.verdict;
      if (verdict === 'verified') verified++;
      else if (!verdict && rendering.length < RENDERING_LISTED && node.ctx.state.assignmentsOf(unitId).some(isRunning))
        rendering.push(unitId);
    }
    return { frame, tiles_total: perFrame, tiles_verified: verified, png_cid: null, rendering };
  });
}

/**
 * A compacted job's verified tiles, frame by frame: every tile of an assembled frame; of the others
 * (a cancelled job's), those the archive has verified.
 */
export function compactedFrameTiles(
  archive: FramesNode['archive'],
  record: JobRecord,
  layout: FrameLayout,
): Map<number, number> {
  let tiles = compactedTiles.get(record);
  if (tiles) return tiles;
  tiles = new Map();
  const perFrame = layout.unitsPerFrame;
  for (const [i, frame] of framesIn(layout).entries()) {
    if (record.frames.has(frame)) {
      tiles.set(frame, perFrame);
      continue;
    }
    let verified = 0;
    for (let t = i * perFrame; t < Math.min((i + 1) * perFrame, record.created); t++)
      if (archive.unit(record.job.job_id, unitIdOf(record.job.job_id, t))?.status === 'verified') verified++;
    tiles.set(frame, verified);
  }
  compactedTiles.set(record, tiles);
  return tiles;
}
