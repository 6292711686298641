// The API's view of a tiled Blender job's frames (docs/BLENDER.md): each frame, its tiles verified
// so far, the tiles a provider renders now (whose unit.progress events the app's mosaic adds to the
// frame), and its PNG once stitched (render/blender-frames.ts); the PNG itself is jobs.frame's. A
// composited job's frames alike, a unit each (its frame read from the job's input), its PNG once
// composited. A job of whole frames, a unit each, is blender.frames' (blender-handlers.ts).
import type { ApiHandlers } from '../../../core/api/contract.js';
import { isBlenderAlgorithm } from '../../../core/blender/algorithm.js';
import { framesOfTiledJob, tilesPerFrame } from '../../../core/schemas/blender-tiles.js';
import { isRunning } from '../../../core/mesh/state/records.js';
import type { JobRecord } from '../../../core/mesh/state/state.js';
import { unitIdOf } from '../../../core/mesh/state/unit-table.js';
import { FRAME_BYTES, frameOf } from '../../../core/blender/unit.js';
import { ApiError } from '../../api/errors.js';
import type { NodeApi } from './node-api.js';

export function tiledFramesHandlers(
  node: Pick<NodeApi, 'blobs' | 'state'>,
  myJob: (jobId: string) => JobRecord,
): Pick<ApiHandlers, 'jobs.blender_frames'> {
  return {
    async 'jobs.blender_frames'({ job_id }) {
      const record = myJob(job_id);
      if (!isBlenderAlgorithm(record.job.algorithm_id ?? ''))
        throw new ApiError('bad_request', `job ${job_id} is not a Blender job`);
      const tiles = record.job.blender_tiles;
      if (record.job.blender_composite) return { tiles: null, frames: compositedFrames(node, record) };
      if (!tiles) return { tiles: null, frames: [] };
      const perFrame = tilesPerFrame(tiles);
      const frames = [];
      for (let i = 0; i < framesOfTiledJob(tiles, record.job.unit_count); i++) {
        const frame = tiles.first_frame + i;
        const png = record.frames.get(frame);
        // A compacted job's units are gone from the state: its frames are all stitched, or it was cancelled.
        let verified = perFrame;
        const rendering: string[] = [];
        if (png === undefined) {
          verified = 0;
          for (let t = 0; t < perFrame; t++) {
            const unitId = unitIdOf(job_id, i * perFrame + t);
            const verdict = node.state.units.progressOf(unitId)?.verdict;
            if (verdict === 'verified') verified++;
            else if (!verdict && node.state.assignmentsOf(unitId).some(isRunning)) rendering.push(unitId);
          }
        }
        frames.push({ frame, tiles_total: perFrame, tiles_verified: verified, png_cid: png ?? null, rendering });
      }
      return { tiles, frames };
    },
  };
}

/** A composited job's frames, a unit each, in the units' order: its PNG once composited; none when its input is gone. */
function compositedFrames(node: Pick<NodeApi, 'blobs' | 'state'>, record: JobRecord) {
  const input = record.input && node.blobs.get(record.input.cid);
  if (!input) return [];
  const frames = [];
  for (let i = 0; i < record.job.unit_count; i++) {
    const frame = frameOf(input.subarray(i * FRAME_BYTES, (i + 1) * FRAME_BYTES));
    if (frame === undefined) continue;
    const png = record.frames.get(frame) ?? null;
    const unitId = unitIdOf(record.job.job_id, i);
    const verdict = png === null ? node.state.units.progressOf(unitId)?.verdict : 'verified';
    const running = !verdict && node.state.assignmentsOf(unitId).some(isRunning);
    frames.push({
      frame,
      tiles_total: 1,
      tiles_verified: verdict === 'verified' ? 1 : 0,
      png_cid: png,
      rendering: running ? [unitId] : [],
    });
  }
  return frames;
}
